package main

import (
	"fmt"
	"os"
	"path/filepath"
)

// systemLogsConfig turns on the two system logs that say where the
// server's CPU goes: query_log (every query, with its ProfileEvents) and
// part_log (every part written by an insert or a merge, with the merge's
// ProfileEvents). clickhouse-local keeps neither unless a configuration
// file asks for them, and takes nested settings only from a file, not as
// --flags. A one-second flush keeps them current for a benchmark that
// reads them right after a run.
const systemLogsConfig = `<clickhouse>
  <query_log>
    <database>system</database>
    <table>query_log</table>
    <flush_interval_milliseconds>1000</flush_interval_milliseconds>
  </query_log>
  <part_log>
    <database>system</database>
    <table>part_log</table>
    <flush_interval_milliseconds>1000</flush_interval_milliseconds>
  </part_log>
</clickhouse>
`

// writeSystemLogsConfig writes systemLogsConfig into the data directory
// and returns its path, for --config-file.
func writeSystemLogsConfig(dataDir string) (string, error) {
	path := filepath.Join(dataDir, "chdb-server-system-logs.xml")
	if err := os.WriteFile(path, []byte(systemLogsConfig), 0o600); err != nil {
		return "", fmt.Errorf("system logs config: %w", err)
	}
	return path, nil
}
