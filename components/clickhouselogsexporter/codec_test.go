package clickhouselogsexporter

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// recordedCodecs is system.columns' compression_codec for contrib's
// otel_logs on ClickHouse 26.7 (as created by contrib's exporter v0.165.1),
// plus the forms it must leave alone.
var recordedCodecs = map[string]string{
	"Timestamp":          "CODEC(Delta(8), ZSTD(3))",
	"TraceId":            "CODEC(ZSTD(3))",
	"LogAttributes":      "CODEC(ZSTD(3))",
	"TraceFlags":         "",
	"SeverityNumber":     "",
	"Secret":             "CODEC(ZSTD(3), AES_128_GCM_SIV)",
	"AlreadyLZ4":         "CODEC(LZ4)",
	"DoubleDeltaOnly":    "CODEC(DoubleDelta)",
	"ManyTransforms":     "CODEC(T64, ZSTD(1))",
	"LowerCaseFromAUser": "CODEC(lz4)",
}

func TestPlannedCodecs(t *testing.T) {
	changes := plannedCodecs(recordedCodecs, "LZ4")
	got := map[string]string{}
	for _, c := range changes {
		got[c.column] = c.codec
	}
	assert.Equal(t, map[string]string{
		"Timestamp":       "Delta(8), LZ4",
		"TraceId":         "LZ4",
		"LogAttributes":   "LZ4",
		"DoubleDeltaOnly": "DoubleDelta, LZ4",
		"ManyTransforms":  "T64, LZ4",
	}, got, "transforms kept, the general-purpose codec replaced; no codec, encryption and LZ4 already left alone")

	assert.Empty(t, plannedCodecs(map[string]string{"Timestamp": "CODEC(Delta(8), ZSTD(3))"}, "ZSTD(3)"), "already so")
	// ClickHouse 26.7 refuses "Delta(8), NONE" ("It does not make sense to
	// have codec NONE along with other compression codecs").
	assert.Equal(t, []codecChange{{column: "Timestamp", codec: "NONE"}},
		plannedCodecs(map[string]string{"Timestamp": "CODEC(Delta(8), ZSTD(3))"}, "NONE"))
}

func TestSplitCodecChain(t *testing.T) {
	for in, want := range map[string][]string{
		"CODEC(Delta(8), ZSTD(3))":   {"Delta(8)", "ZSTD(3)"},
		"CODEC(LZ4)":                 {"LZ4"},
		"CODEC(Gorilla(8),LZ4HC(9))": {"Gorilla(8)", "LZ4HC(9)"},
	} {
		chain, ok := splitCodecChain(in)
		assert.True(t, ok, in)
		assert.Equal(t, want, chain, in)
	}
	for _, in := range []string{"", "LZ4", "CODEC(", "CODEC()", "CODEC(a,)", "CODEC(a))", "CODEC((a)", "CODEC(a)) , (b"} {
		_, ok := splitCodecChain(in)
		assert.False(t, ok, "%q", in)
	}
}

func TestColumnCodecPattern(t *testing.T) {
	for _, ok := range []string{"LZ4", "NONE", "ZSTD(1)", "ZSTD(22)", "LZ4HC(9)", "LZ4HC(12)"} {
		assert.True(t, columnCodecPattern.MatchString(ok), ok)
	}
	for _, bad := range []string{"", "ZSTD", "ZSTD(0)", "ZSTD(23)", "LZ4HC(13)", "lz4", "Delta(8), LZ4", "LZ4 ", "T64"} {
		assert.False(t, columnCodecPattern.MatchString(bad), bad)
	}
}

// FuzzPlannedCodecs: any compression_codec a server could report gives a
// plan whose chains end in the wanted codec, hold no other general-purpose
// codec, and need no further change (applying it again plans nothing).
func FuzzPlannedCodecs(f *testing.F) {
	for _, c := range recordedCodecs {
		f.Add(c, "LZ4")
	}
	f.Add("CODEC(Delta(8), ZSTD(3))", "ZSTD(1)")
	f.Add("CODEC(a(b(c)), d)", "NONE")
	f.Fuzz(func(t *testing.T, declaration, want string) {
		if !columnCodecPattern.MatchString(want) {
			return
		}
		for _, c := range plannedCodecs(map[string]string{"c": declaration}, want) {
			chain, ok := splitCodecChain("CODEC(" + c.codec + ")")
			if !ok {
				t.Fatalf("planned %q from %q: not a chain", c.codec, declaration)
			}
			if chain[len(chain)-1] != want || (want == "NONE" && len(chain) > 1) {
				t.Fatalf("planned %q from %q: does not end in %s, or NONE after a transform", c.codec, declaration, want)
			}
			for _, codec := range chain[:len(chain)-1] {
				if isGeneralPurpose(codec) || strings.HasPrefix(strings.ToUpper(codec), "AES_") {
					t.Fatalf("planned %q from %q: %s left before %s", c.codec, declaration, codec, want)
				}
			}
			if again := plannedCodecs(map[string]string{"c": "CODEC(" + c.codec + ")"}, want); len(again) != 0 {
				t.Fatalf("planned %q from %q, then %q", c.codec, declaration, again[0].codec)
			}
		}
	})
}
