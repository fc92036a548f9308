package clickhouselogsexporter // import "github.com/otelcol-events/otelcol-events/components/clickhouselogsexporter"

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/ClickHouse/ch-go"
	"go.uber.org/zap"
)

// tableSettingName is what a table setting's name may be: a MergeTree
// setting is a plain identifier, and nothing else reaches the ALTER.
var tableSettingName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// tableSettingNumber is a value written as it is; any other value is sent
// as a string literal, which ClickHouse converts to the setting's type.
var tableSettingNumber = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// validateTableSettings returns what is wrong with the table_settings.
func validateTableSettings(settings map[string]string) []error {
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(settings)) {
		switch {
		case !tableSettingName.MatchString(name):
			errs = append(errs, fmt.Errorf("table_settings: %q is not a setting name (letters, digits and _)", name))
		case settings[name] == "":
			errs = append(errs, fmt.Errorf("table_settings: %s needs a value", name))
		}
	}
	return errs
}

// modifySettingClause renders settings as one MODIFY SETTING clause, in
// name order so that the statement is the same on every start.
func modifySettingClause(settings map[string]string) string {
	assignments := make([]string, 0, len(settings))
	for _, name := range slices.Sorted(maps.Keys(settings)) {
		value := settings[name]
		if !tableSettingNumber.MatchString(value) {
			value = quoteString(value)
		}
		assignments = append(assignments, name+" = "+value)
	}
	return "MODIFY SETTING " + strings.Join(assignments, ", ")
}

// setTableSettings gives the table the configured MergeTree settings. It
// is a change of metadata only, taken by the merges and inserts from then
// on, and is sent on every start: setting a value the table has already is
// a no-op. A refusal (a user without the ALTER grant, an engine without
// such settings, a server that does not know one) is logged and the
// inserts go on: these settings decide what storing costs, not what is
// stored.
func (e *logsExporter) setTableSettings(ctx context.Context, table string) {
	clause := modifySettingClause(e.cfg.TableSettings)
	if err := e.do(ctx, ch.Query{Body: "ALTER TABLE " + table + " " + clause}); err != nil {
		e.logger.Warn("Could not set the table settings; inserting with the table's own",
			zap.String("table", table), zap.String("settings", clause), zap.Error(err))
		return
	}
	e.logger.Info("Set the table settings", zap.String("table", table), zap.String("settings", clause))
}
