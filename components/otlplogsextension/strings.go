package otlplogsextension // import "github.com/otelcol-events/otelcol-events/components/otlplogsextension"

// stringTable hands out one Go string per distinct byte sequence, so that
// attribute keys, and the strings of resources and scopes, are allocated
// once, not once per record. A string is immutable, so the same one can sit
// in many records and outlive the table. Each decoder has its own table;
// it is emptied when it reaches its limit, so a stream of keys that never
// repeat cannot grow it without bound. (A log record's string values go
// through attributeMemo instead: event ids never repeat, and a table would
// keep churning on them.)
type stringTable struct {
	known map[string]string
}

// stringTableLimit bounds each table: far more keys and resource strings
// than a batch of events has, few enough that a table stays small.
const stringTableLimit = 4096

func newStringTable() *stringTable {
	return &stringTable{known: make(map[string]string)}
}

// get returns b as a string, the table's copy when it has one. The lookup
// m[string(b)] does not allocate.
func (t *stringTable) get(b []byte) string {
	if s, ok := t.known[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(t.known) >= stringTableLimit {
		clear(t.known)
	}
	t.known[s] = s
	return s
}
