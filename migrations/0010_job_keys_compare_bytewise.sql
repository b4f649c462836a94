-- job_keys.key compares bytewise (collation "C") instead of by the database's collation.
--
-- Why: a key is an identifier, matched only for equality (enqueue's uniqueness, lookups by
-- (type, key)); nothing sorts by job_keys.key. Under any collation other than "C" or "POSIX",
-- Postgres compares text through strcoll (libc) or ICU, copying both strings first, at every step
-- of every descent of job_keys_pkey: each enqueued job pays a descent and a uniqueness check.
-- The bench machine's database collation is C.UTF-8 (libc, which Postgres 15 does not treat as
-- "C"). Measured with pgbench there, batches of 500 with the bench's short keys (2–7 characters),
-- 3 × 5 runs of 200 batches alternated (tools/bench/README.md, fix 23): job_enqueue_new 4.11–4.47
-- → 4.07–4.18 ms (medians), job_enqueue_many 5.27–5.53 → 4.85–5.68 ms. A small gain with short
-- keys and a small table; it grows with longer keys, deeper indexes and costlier collations.
--
-- Equality under "C" is byte equality, which is what every deterministic collation already
-- used for equality, so no two existing keys become equal or unequal: the primary key stays valid.
--
-- Note: the table is not rewritten (same type), but job_keys_pkey is rebuilt inside the migration's
-- transaction, and writes to job_keys wait meanwhile (0.7 s per million keys on the bench machine).

alter table job_keys alter column key type text collate "C";
