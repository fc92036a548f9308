-- What the logs table's skip indexes over attribute values and the body
-- cost: contrib's schema indexes every map value and the lower-cased body
-- on insert and again on every merge. Keys, trace id and event name keep
-- their indexes.
ALTER TABLE {db}.otel_logs DROP INDEX idx_log_attr_value;
ALTER TABLE {db}.otel_logs DROP INDEX idx_res_attr_value;
ALTER TABLE {db}.otel_logs DROP INDEX idx_lower_body;
