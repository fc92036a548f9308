package clickhouselogsexporter

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestModifySettingClause(t *testing.T) {
	assert.Equal(t, "MODIFY SETTING merge_selector_base = 10", modifySettingClause(map[string]string{"merge_selector_base": "10"}))
	// Name order, numbers as they are, anything else a quoted string
	// (quotes escaped, so a value cannot end the literal).
	assert.Equal(t,
		`MODIFY SETTING a_ratio = 0.5, b_offset = -3, merge_selector_algorithm = 'Simple', storage_policy = 'x\' SETTINGS y = 1 --'`,
		modifySettingClause(map[string]string{
			"storage_policy":           "x' SETTINGS y = 1 --",
			"merge_selector_algorithm": "Simple",
			"b_offset":                 "-3",
			"a_ratio":                  "0.5",
		}))
}
