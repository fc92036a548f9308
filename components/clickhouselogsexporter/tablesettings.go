package clickhouselogsexporter // import "github.com/otelcol-events/otelcol-events/components/clickhouselogsexporter"

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/ClickHouse/ch-go"
	"github.com/ClickHouse/ch-go/proto"
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

// pendingSettings returns the assignments ("name = value", as the ALTER
// writes them) of settings that engineFull, the table's engine_full in
// system.tables, does not show already, in name order. ClickHouse shows a
// table's own settings there as the ALTER wrote them, so a value written
// another way (010 for 10) only costs an ALTER that changes nothing.
func pendingSettings(engineFull string, settings map[string]string) []string {
	have := ""
	if i := strings.LastIndex(engineFull, " SETTINGS "); i >= 0 {
		have = ", " + engineFull[i+len(" SETTINGS "):] + ", "
	}
	var pending []string
	for _, name := range slices.Sorted(maps.Keys(settings)) {
		value := settings[name]
		if !tableSettingNumber.MatchString(value) {
			value = quoteString(value)
		}
		if assignment := name + " = " + value; !strings.Contains(have, ", "+assignment+", ") {
			pending = append(pending, assignment)
		}
	}
	return pending
}

// setTableSettings gives the table the configured MergeTree settings it
// does not have yet, in one ALTER: a change of metadata only, taken by the
// merges and inserts from then on. A table that has them all is left
// alone, so restarting gateways do not rewrite its metadata (on a
// replicated table, an entry in the replication log each). A refusal (a
// user without the ALTER grant, an engine without such settings, a server
// that does not know one) is logged and the inserts go on: these settings
// decide what storing costs, not what is stored.
func (e *logsExporter) setTableSettings(ctx context.Context, table string) {
	engineFull, err := e.readEngineFull(ctx)
	if err != nil {
		e.logger.Warn("Could not read the table's settings; inserting with them as they are",
			zap.String("table", table), zap.Error(err))
		return
	}
	pending := pendingSettings(engineFull, e.cfg.TableSettings)
	if len(pending) == 0 {
		e.logger.Info("The table has its settings already", zap.String("table", table))
		return
	}
	clause := "MODIFY SETTING " + strings.Join(pending, ", ")
	if err := e.do(ctx, ch.Query{Body: "ALTER TABLE " + table + " " + clause}); err != nil {
		e.logger.Warn("Could not set the table settings; inserting with the table's own",
			zap.String("table", table), zap.String("settings", clause), zap.Error(err))
		return
	}
	e.logger.Info("Set the table settings", zap.String("table", table), zap.String("settings", clause))
}

// readEngineFull returns the table's engine_full from system.tables ("" for
// a table it does not list).
func (e *logsExporter) readEngineFull(ctx context.Context) (string, error) {
	var column proto.ColStr
	engineFull := ""
	err := e.do(ctx, ch.Query{
		Body:       "SELECT engine_full FROM system.tables WHERE database = {db:String} AND name = {table:String}",
		Parameters: e.tableParameters(),
		Result:     proto.Results{{Name: "engine_full", Data: &column}},
		OnResult: func(context.Context, proto.Block) error {
			if column.Rows() > 0 {
				engineFull = column.Row(0)
			}
			return nil
		},
	})
	return engineFull, err
}
