//go:build integration

package integration

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

const intakeToken = "s3cret-intake-token"

// With config/overlays/intake-auth.yaml, a request without the token or
// with a wrong one is answered 401 from its headers, before its body is
// read, and nothing of it is consumed; the right token is let through.
func TestIntakeBearerToken(t *testing.T) {
	kafka := startKafka(t, pipelineTopics...)
	agent := startCollectorConfigs(t, "agent", []string{"agent.yaml", "overlays/intake-auth.yaml"}, map[string]string{
		"KAFKA_BROKERS": kafka.Addr,
		"INTAKE_TOKEN":  intakeToken,
	})
	for _, tc := range []struct{ name, endpoint, path string }{
		{"events", agent.Endpoints.Events, "/v1/events"},
		{"otlp http", agent.Endpoints.OTLPHTTP, "/v1/logs"},
		{"zipkin", agent.Endpoints.Zipkin, "/api/v2/spans"},
	} {
		for _, auth := range []string{"", "Bearer wrong", "Basic " + intakeToken} {
			t.Run(tc.name+"/"+auth, func(t *testing.T) {
				assert.Equal(t, 401, statusBeforeBody(t, tc.endpoint, tc.path, auth),
					"answered from the headers alone, the announced body never sent")
			})
		}
	}
	t.Run("otlp grpc", func(t *testing.T) {
		conn, err := grpc.NewClient(agent.Endpoints.OTLPGRPC, grpc.WithTransportCredentials(insecure.NewCredentials()))
		require.NoError(t, err)
		defer conn.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		td := ptrace.NewTraces()
		td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty().SetName("refused")
		_, err = ptraceotlp.NewGRPCClient(conn).Export(ctx, ptraceotlp.NewExportRequestFromTraces(td))
		assert.Equal(t, codes.Unauthenticated, status.Code(err), "%v", err)
		assert.Zero(t, metricValue(t, agent.Endpoints.Metrics, "otelcol_receiver_accepted_spans", map[string]string{"receiver": "otlp"}))
	})
	accepted := func() float64 {
		return metricValue(t, agent.Endpoints.Metrics, "otelcol_receiver_accepted_log_records", map[string]string{"receiver": "eventsplit"})
	}
	assert.Zero(t, accepted(), "nothing of a refused request reached the pipeline")

	code, _ := uploadEvents(t, agent.Endpoints.Events, eventsBody("auth", "ok", 3), map[string]string{"Authorization": "Bearer " + intakeToken})
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, 3.0, accepted())
}

// statusBeforeBody sends a request's headers announcing a 1 MB body, sends
// no body, and returns the status the server answers with.
func statusBeforeBody(t *testing.T, endpoint, path, authorization string) int {
	t.Helper()
	conn, err := net.DialTimeout("tcp", endpoint, 5*time.Second)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(15*time.Second)))
	head := "POST " + path + " HTTP/1.1\r\nHost: " + endpoint + "\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n"
	if authorization != "" {
		head += "Authorization: " + authorization + "\r\n"
	}
	_, err = conn.Write([]byte(head + "\r\n"))
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err, "the server waited for the body instead of refusing")
	defer resp.Body.Close()
	return resp.StatusCode
}

// With both overlays the intakes serve TLS with the configured certificate
// and still ask for the token.
func TestIntakeTLSAndToken(t *testing.T) {
	certFile, keyFile, pool := selfSignedCert(t)
	kafka := startKafka(t, pipelineTopics...)
	agent := startCollectorConfigs(t, "agent", []string{"agent.yaml", "overlays/intake-auth.yaml", "overlays/intake-tls.yaml"}, map[string]string{
		"KAFKA_BROKERS":        kafka.Addr,
		"INTAKE_TOKEN":         intakeToken,
		"INTAKE_TLS_CERT_FILE": certFile,
		"INTAKE_TLS_KEY_FILE":  keyFile,
	})
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	post := func(token string) int {
		req, err := http.NewRequest(http.MethodPost, "https://"+agent.Endpoints.Events+"/v1/events", strings.NewReader(string(eventsBody("tls", "x", 2))))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	assert.Equal(t, http.StatusUnauthorized, post(""))
	assert.Equal(t, http.StatusOK, post(intakeToken))

	// Plain HTTP to the TLS port is not served.
	resp, err := http.Post("http://"+agent.Endpoints.Events+"/v1/events", "application/json", strings.NewReader("{}"))
	if err == nil {
		resp.Body.Close()
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "Go's TLS server answers plain HTTP with 400")
	}
}

// selfSignedCert writes a certificate for 127.0.0.1 and its key, and returns
// a pool that trusts it.
func selfSignedCert(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "otelcol-events test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	require.NoError(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600))
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}
