package main

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The supervisor hands the engine every flag it was given, -system-logs
// included, and the engine asks clickhouse-local for the system logs only
// when told to, through a configuration file that names both.
func TestSystemLogsReachClickHouse(t *testing.T) {
	opts := engineOptions{
		lib: "/lib/libchdb.so", dataDir: t.TempDir(), host: "127.0.0.1", tcpPort: 1, httpPort: 2,
		readyTimeout: time.Second,
	}
	assert.Contains(t, opts.engineArgs(), "-system-logs=false")
	args, err := opts.clickhouseArgs()
	require.NoError(t, err)
	assert.False(t, slices.ContainsFunc(args, func(a string) bool { return strings.HasPrefix(a, "--config-file") }))

	opts.systemLogs = true
	assert.Contains(t, opts.engineArgs(), "-system-logs=true")
	args, err = opts.clickhouseArgs()
	require.NoError(t, err)
	config := strings.TrimPrefix(args[len(args)-1], "--config-file=")
	assert.Equal(t, filepath.Join(opts.dataDir, "chdb-server-system-logs.xml"), config)
	raw, err := os.ReadFile(config)
	require.NoError(t, err)
	var parsed struct {
		QueryLog struct {
			Table string `xml:"table"`
		} `xml:"query_log"`
		PartLog struct {
			Table string `xml:"table"`
		} `xml:"part_log"`
	}
	require.NoError(t, xml.Unmarshal(raw, &parsed))
	assert.Equal(t, "query_log", parsed.QueryLog.Table)
	assert.Equal(t, "part_log", parsed.PartLog.Table)
}
