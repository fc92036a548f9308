package ipgeoprocessor

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/plogtest"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/pmetrictest"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/ptracetest"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-events/otelcol-events/processor/ipgeoprocessor/internal/metadata"
)

// (Metrics are compared regardless of order: the golden writer sorts them.)
//
// Golden tests: testdata/golden/<signal>_input.yaml goes through the
// processor in each context; the output must equal
// testdata/golden/<signal>_<context>.yaml. The inputs hold resources and
// records with public, private, mapped, listed and invalid addresses, and
// a record that already has a geo attribute. Regenerate with
// UPDATE_GOLDEN=1 and review the diff.

func goldenConfig(t *testing.T, context string) *Config {
	f := writeFixtures(t)
	cfg := createDefaultConfig().(*Config)
	cfg.Providers = []ProviderConfig{mmdbAt(f.city)}
	cfg.ASN.Path = f.asn
	cfg.Source.Context = context
	cfg.LegacyAttributes = map[string]string{"country": "geo.country.iso_code"}
	cfg.Reload.Enabled = false
	return cfg
}

func goldenPath(name string) string { return filepath.Join("testdata", "golden", name) }

func update() bool { return os.Getenv("UPDATE_GOLDEN") != "" }

func TestGoldenTraces(t *testing.T) {
	for _, c := range []string{contextRecord, contextResource, contextBoth} {
		t.Run(c, func(t *testing.T) {
			input, err := golden.ReadTraces(goldenPath("traces_input.yaml"))
			require.NoError(t, err)
			sink := new(consumertest.TracesSink)
			p, err := NewFactory().CreateTraces(context.Background(), processortest.NewNopSettings(metadata.Type), goldenConfig(t, c), sink)
			require.NoError(t, err)
			require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
			defer func() { require.NoError(t, p.Shutdown(context.Background())) }()
			require.NoError(t, p.ConsumeTraces(context.Background(), input))
			out := goldenPath("traces_" + c + ".yaml")
			if update() {
				require.NoError(t, golden.WriteTracesToFile(out, sink.AllTraces()[0]))
			}
			want, err := golden.ReadTraces(out)
			require.NoError(t, err)
			require.NoError(t, ptracetest.CompareTraces(want, sink.AllTraces()[0]))
		})
	}
}

func TestGoldenLogs(t *testing.T) {
	for _, c := range []string{contextRecord, contextResource, contextBoth} {
		t.Run(c, func(t *testing.T) {
			input, err := golden.ReadLogs(goldenPath("logs_input.yaml"))
			require.NoError(t, err)
			sink := new(consumertest.LogsSink)
			p, err := NewFactory().CreateLogs(context.Background(), processortest.NewNopSettings(metadata.Type), goldenConfig(t, c), sink)
			require.NoError(t, err)
			require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
			defer func() { require.NoError(t, p.Shutdown(context.Background())) }()
			require.NoError(t, p.ConsumeLogs(context.Background(), input))
			out := goldenPath("logs_" + c + ".yaml")
			if update() {
				require.NoError(t, golden.WriteLogsToFile(out, sink.AllLogs()[0]))
			}
			want, err := golden.ReadLogs(out)
			require.NoError(t, err)
			require.NoError(t, plogtest.CompareLogs(want, sink.AllLogs()[0]))
		})
	}
}

func TestGoldenMetrics(t *testing.T) {
	for _, c := range []string{contextRecord, contextResource, contextBoth} {
		t.Run(c, func(t *testing.T) {
			input, err := golden.ReadMetrics(goldenPath("metrics_input.yaml"))
			require.NoError(t, err)
			sink := new(consumertest.MetricsSink)
			p, err := NewFactory().CreateMetrics(context.Background(), processortest.NewNopSettings(metadata.Type), goldenConfig(t, c), sink)
			require.NoError(t, err)
			require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
			defer func() { require.NoError(t, p.Shutdown(context.Background())) }()
			require.NoError(t, p.ConsumeMetrics(context.Background(), input))
			out := goldenPath("metrics_" + c + ".yaml")
			if update() {
				require.NoError(t, golden.WriteMetricsToFile(out, sink.AllMetrics()[0], golden.SkipMetricTimestampNormalization()))
			}
			want, err := golden.ReadMetrics(out)
			require.NoError(t, err)
			require.NoError(t, pmetrictest.CompareMetrics(want, sink.AllMetrics()[0], pmetrictest.IgnoreResourceMetricsOrder(),
				pmetrictest.IgnoreMetricsOrder(), pmetrictest.IgnoreMetricDataPointsOrder()))
		})
	}
}
