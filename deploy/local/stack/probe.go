package stack

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Port names one listening port of the stack, for error messages that say
// which port is taken and what wanted it.
type Port struct {
	Host string
	Port int
	What string
}

func (p Port) Addr() string { return net.JoinHostPort(p.Host, strconv.Itoa(p.Port)) }

// PortInUseError says which port is taken and by whom it was wanted.
type PortInUseError struct {
	Port Port
	Err  error
}

func (e *PortInUseError) Error() string {
	return fmt.Sprintf("port %d on %s (%s) is already in use: stop what listens there or choose another port (%v)",
		e.Port.Port, e.Port.Host, e.Port.What, e.Err)
}

// CheckPortsFree fails with a PortInUseError for the first port that cannot
// be bound. It is checked before a service starts so the user reads the port
// and its purpose instead of a backend's own start-up failure.
func CheckPortsFree(ports ...Port) error {
	for _, p := range ports {
		l, err := net.Listen("tcp", p.Addr())
		if err != nil {
			return &PortInUseError{Port: p, Err: err}
		}
		_ = l.Close()
	}
	return nil
}

// ClickHouseQuery runs a statement over ClickHouse's HTTP interface and
// returns the raw answer.
func ClickHouseQuery(ctx context.Context, httpAddr, query string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+httpAddr+"/", strings.NewReader(query))
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("clickhouse answered %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	return string(body), nil
}

// ClickHouseReady succeeds once `SELECT 1` answers 1.
func ClickHouseReady(httpAddr string) func(context.Context) error {
	return func(ctx context.Context) error {
		out, err := ClickHouseQuery(ctx, httpAddr, "SELECT 1")
		if err != nil {
			return err
		}
		if strings.TrimSpace(out) != "1" {
			return fmt.Errorf("SELECT 1 answered %q", out)
		}
		return nil
	}
}

// KafkaReady succeeds once a Kafka client gets a metadata answer from addr.
func KafkaReady(addr string) func(context.Context) error {
	return func(ctx context.Context) error {
		cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
		if err != nil {
			return err
		}
		defer cl.Close()
		return cl.Ping(ctx)
	}
}

// HTTPReady succeeds once GET rawURL answers 200 (the collector's
// health_check extension answers 200 only when every pipeline is up).
func HTTPReady(rawURL string) func(context.Context) error {
	return func(ctx context.Context) error {
		if _, err := url.Parse(rawURL); err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
		if err != nil {
			return err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s answered %s", rawURL, resp.Status)
		}
		return nil
	}
}
