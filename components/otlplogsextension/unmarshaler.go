package otlplogsextension // import "github.com/otelcol-events/otelcol-events/components/otlplogsextension"

import (
	"sync"

	"go.opentelemetry.io/collector/pdata/plog"
)

// logsUnmarshaler is a plog.Unmarshaler whose result is always what pdata's
// ProtoUnmarshaler gives for the same bytes: it builds the common shape
// itself and hands everything else (see errLeftToPdata) to pdata. The kafka
// receiver decodes records concurrently, so each call takes a decoder of
// its own from a pool, where its strings carry over to the next record.
type logsUnmarshaler struct {
	decoders    sync.Pool
	pdata       plog.ProtoUnmarshaler
	leftToPdata func()
}

func newLogsUnmarshaler(leftToPdata func()) *logsUnmarshaler {
	u := &logsUnmarshaler{leftToPdata: leftToPdata}
	u.decoders.New = func() any { return &decoder{strings: newStringTable()} }
	return u
}

func (u *logsUnmarshaler) UnmarshalLogs(buf []byte) (plog.Logs, error) {
	d := u.decoders.Get().(*decoder)
	ld, err := d.logs(buf)
	u.decoders.Put(d)
	if err == nil {
		return ld, nil
	}
	u.leftToPdata()
	return u.pdata.UnmarshalLogs(buf)
}
