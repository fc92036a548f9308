-- Inserted parts in the compact format (all columns in one file) up to
-- 256 MiB instead of 10 MiB: fewer files for ClickHouse to create per
-- insert. Merged parts past the threshold are wide again.
ALTER TABLE {db}.otel_logs MODIFY SETTING min_bytes_for_wide_part = 268435456;
