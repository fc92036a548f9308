// Package componentconfigtest loads a component's test configuration as
// the collector does: the factory's defaults, then the component's section
// of testdata/config.yaml over them, then the config's Validate.
package componentconfigtest // import "github.com/otelcol-events/otelcol-events/internal/componentconfigtest"

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"
)

// Load returns id's configuration from the test's testdata/config.yaml,
// and the error unmarshaling or validating it gave. A missing file or
// section fails the test.
func Load(t testing.TB, f component.Factory, id component.ID) (component.Config, error) {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	sub, err := cm.Sub(id.String())
	require.NoError(t, err)
	cfg := f.CreateDefaultConfig()
	if err := sub.Unmarshal(cfg); err != nil {
		return cfg, err
	}
	return cfg, confmap.Validate(cfg)
}
