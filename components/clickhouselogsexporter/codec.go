package clickhouselogsexporter // import "github.com/otelcol-events/otelcol-events/components/clickhouselogsexporter"

import (
	"regexp"
	"slices"
	"strings"
)

// columnCodecPattern is what column_codec takes: a general-purpose codec
// every ClickHouse build has, with its level where it has one. Nothing else
// reaches the ALTER statement.
var columnCodecPattern = regexp.MustCompile(`^(NONE|LZ4|LZ4HC\((?:[1-9]|1[0-2])\)|ZSTD\((?:[1-9]|1[0-9]|2[0-2])\))$`)

// codecChange is one column whose codec is to change.
type codecChange struct {
	column string
	codec  string // the whole chain, e.g. "Delta(8), LZ4"
}

// plannedCodecs returns the columns whose general-purpose codec is not want,
// with the chain each should have: its transforms (Delta, DoubleDelta,
// T64, …) kept and in order, its general-purpose codec replaced by want
// (NONE replaces the whole chain).
// codecs maps a column to its compression_codec in system.columns, e.g.
// "CODEC(Delta(8), ZSTD(3))"; a column without an explicit codec uses the
// server's default and is left alone, and so is an encrypted one (its
// encryption codec must stay last, and the operator chose it on purpose).
func plannedCodecs(codecs map[string]string, want string) []codecChange {
	var changes []codecChange
	for column, current := range codecs {
		chain, ok := splitCodecChain(current)
		if !ok || slices.ContainsFunc(chain, isEncryption) {
			continue
		}
		kept := make([]string, 0, len(chain)+1)
		for _, c := range chain {
			// Uncompressed means no transforms either: ClickHouse refuses
			// "Delta(8), NONE" as a chain that makes no sense.
			if !isGeneralPurpose(c) && want != "NONE" {
				kept = append(kept, c)
			}
		}
		kept = append(kept, want)
		if !equalFold(kept, chain) {
			changes = append(changes, codecChange{column: column, codec: strings.Join(kept, ", ")})
		}
	}
	return changes
}

// splitCodecChain splits "CODEC(a, b(1, 2), c)" into its codecs. ok is
// false for an empty declaration (no explicit codec) or one it cannot read.
func splitCodecChain(declaration string) (chain []string, ok bool) {
	inner, found := strings.CutPrefix(strings.TrimSpace(declaration), "CODEC(")
	if !found {
		return nil, false
	}
	inner, found = strings.CutSuffix(inner, ")")
	if !found {
		return nil, false
	}
	depth, start := 0, 0
	for i := 0; i < len(inner); i++ {
		switch inner[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth < 0 {
				return nil, false
			}
		case ',':
			if depth == 0 {
				chain = append(chain, strings.TrimSpace(inner[start:i]))
				start = i + 1
			}
		}
	}
	if depth != 0 {
		return nil, false
	}
	chain = append(chain, strings.TrimSpace(inner[start:]))
	for _, c := range chain {
		if c == "" {
			return nil, false
		}
	}
	return chain, true
}

// isGeneralPurpose reports whether codec compresses bytes (and so ends a
// chain) rather than transforming values for the next codec.
func isGeneralPurpose(codec string) bool {
	name, _, _ := strings.Cut(codec, "(")
	switch strings.ToUpper(strings.TrimSpace(name)) {
	case "NONE", "LZ4", "LZ4HC", "ZSTD", "ZSTD_QAT", "DEFLATE_QPL":
		return true
	}
	return false
}

func isEncryption(codec string) bool {
	return strings.HasPrefix(strings.ToUpper(codec), "AES_")
}

func equalFold(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !strings.EqualFold(strings.ReplaceAll(a[i], " ", ""), strings.ReplaceAll(b[i], " ", "")) {
			return false
		}
	}
	return true
}
