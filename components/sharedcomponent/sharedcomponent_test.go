package sharedcomponent

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
)

type counting struct {
	starts, stops int
	startErr      error
}

func (c *counting) Start(context.Context, component.Host) error { c.starts++; return c.startErr }
func (c *counting) Shutdown(context.Context) error              { c.stops++; return nil }

func TestOneInstancePerKeyStartedAndStoppedOnce(t *testing.T) {
	m := NewMap[string, *counting]()
	made := 0
	create := func() (*counting, error) { made++; return &counting{}, nil }
	a, err := m.LoadOrStore("cfg", create)
	require.NoError(t, err)
	b, err := m.LoadOrStore("cfg", create)
	require.NoError(t, err)
	assert.Same(t, a, b)
	assert.Equal(t, 1, made)

	host := componenttest.NewNopHost()
	require.NoError(t, a.Start(context.Background(), host))
	require.NoError(t, b.Start(context.Background(), host))
	assert.Equal(t, 1, a.Unwrap().starts)
	require.NoError(t, a.Shutdown(context.Background()))
	require.NoError(t, b.Shutdown(context.Background()))
	assert.Equal(t, 1, a.Unwrap().stops)
	assert.Zero(t, m.Len(), "a shut-down instance is forgotten")

	c, err := m.LoadOrStore("cfg", create)
	require.NoError(t, err)
	assert.NotSame(t, a, c, "a reloaded configuration gets a fresh instance")
}

func TestStartErrorIsEveryCallersAndCreateErrorStoresNothing(t *testing.T) {
	m := NewMap[int, *counting]()
	boom := errors.New("boom")
	_, err := m.LoadOrStore(1, func() (*counting, error) { return nil, boom })
	require.ErrorIs(t, err, boom)
	assert.Zero(t, m.Len())

	c, err := m.LoadOrStore(2, func() (*counting, error) { return &counting{startErr: boom}, nil })
	require.NoError(t, err)
	require.ErrorIs(t, c.Start(context.Background(), componenttest.NewNopHost()), boom)
	require.ErrorIs(t, c.Start(context.Background(), componenttest.NewNopHost()), boom)
	assert.Equal(t, 1, c.Unwrap().starts)
}
