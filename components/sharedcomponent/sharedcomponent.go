// Package sharedcomponent keeps one instance of a component per
// configuration, shared by every pipeline it is placed in, as the
// collector's own receivers do (core's internal sharedcomponent, which
// cannot be imported). A receiver in a logs and a traces pipeline is one
// HTTP server; a processor in three pipelines opens its databases once.
//
// The instance is started by the first pipeline that starts it and shut
// down by the first that shuts it down (the service shuts all pipelines
// down together); then it is forgotten, so a reloaded configuration gets a
// fresh instance.
package sharedcomponent // import "github.com/otelcol-events/otelcol-events/components/sharedcomponent"

import (
	"context"
	"sync"

	"go.opentelemetry.io/collector/component"
)

// Map holds the shared instances by key (the component's *Config).
type Map[K comparable, V component.Component] struct {
	mu         sync.Mutex
	components map[K]*Component[V]
}

// NewMap returns an empty map.
func NewMap[K comparable, V component.Component]() *Map[K, V] {
	return &Map[K, V]{components: map[K]*Component[V]{}}
}

// LoadOrStore returns the instance for key, made by create on first use.
func (m *Map[K, V]) LoadOrStore(key K, create func() (V, error)) (*Component[V], error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c, ok := m.components[key]; ok {
		return c, nil
	}
	v, err := create()
	if err != nil {
		return nil, err
	}
	c := &Component[V]{component: v}
	c.remove = func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		if m.components[key] == c {
			delete(m.components, key)
		}
	}
	m.components[key] = c
	return c, nil
}

// Len is how many instances the map holds.
func (m *Map[K, V]) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.components)
}

// Component is a shared instance: Start and Shutdown reach it once.
type Component[V component.Component] struct {
	component V

	startOnce sync.Once
	startErr  error
	stopOnce  sync.Once
	stopErr   error
	remove    func()
}

// Unwrap is the instance itself.
func (c *Component[V]) Unwrap() V { return c.component }

// Start starts the instance the first time it is called.
func (c *Component[V]) Start(ctx context.Context, host component.Host) error {
	c.startOnce.Do(func() { c.startErr = c.component.Start(ctx, host) })
	return c.startErr
}

// Shutdown shuts the instance down the first time it is called, and
// forgets it. The instance must accept a Shutdown without a Start.
func (c *Component[V]) Shutdown(ctx context.Context) error {
	c.stopOnce.Do(func() {
		c.stopErr = c.component.Shutdown(ctx)
		c.remove()
	})
	return c.stopErr
}
