-- policies/support.yaml routed by hand in DuckDB: the yardstick for the generated query
-- (bench/warehouse.sh). The table `tickets` holds the CSV's columns as text, as a CSV loads them;
-- `handoff_calendar` is `handoff calendar`'s table (as text too).
-- Semantics as replay's (DESIGN §2, §4): an empty or unparsable value is unknown and never
-- matches; keywords are whole words with Unicode letters, numbers and `_` as word characters
-- (RE2's \b is ASCII-only, so the classes are spelled out); text is NFC-normalised and
-- lower-cased; rules are tried in order, `continue` keeps going, the highest tier wins.
-- SLA dues as a person would write them in DuckDB: the clock starts at escalated_at, else
-- created_at; business seconds come from the calendar's running count (`work_before`) with
-- as-of joins (the last interval starting before the instant, the last whose count is below
-- the target); `n bd` keeps the position in the working day `n` working days later, clamped to
-- that day's close.
WITH t AS (
  SELECT
    id,
    lower(nfc_normalize(text)) AS body,
    TRY_CAST(trim(confidence) AS DOUBLE) AS conf,
    TRY_CAST(trim(sentiment) AS DOUBLE) AS sent,
    lower(trim(customer_tier)) AS customer,
    lower(trim(priority)) AS prio,
    lower(trim(requested_human)) IN ('true', 'yes', 'y', '1', 't') AS human,
    epoch(coalesce(TRY_CAST(nullif(trim(escalated_at), '') AS TIMESTAMP),
                   TRY_CAST(nullif(trim(created_at), '') AS TIMESTAMP)))::BIGINT AS clock
  FROM tickets
),
m AS (
  SELECT
    id,
    prio,
    clock,
    human,
    regexp_matches(body, '(?:^|[^\p{L}\p{N}_])(?:(?:legal|lawsuit|attorney|gdpr|subpoena)(?:$|[^\p{L}\p{N}_])|lawyer)') AS legal,
    regexp_matches(body, '(?:^|[^\p{L}\p{N}_])(?:cancel|refund|chargeback(?:$|[^\p{L}\p{N}_]))') AND customer = 'enterprise' AS ent_cancel,
    conf < 0.80 AS low_conf,
    sent < -0.5 AS angry
  FROM t
),
decided AS (
  SELECT
    id,
    clock,
    CASE
      WHEN legal IS TRUE THEN 'L3'
      WHEN ent_cancel IS TRUE THEN 'L2'
      WHEN human IS TRUE OR low_conf IS TRUE OR angry IS TRUE THEN 'L1'
      ELSE 'ai'
    END AS decision,
    CASE
      WHEN legal IS TRUE THEN 'legal-risk'
      WHEN ent_cancel IS TRUE THEN 'enterprise-cancel'
      WHEN human IS TRUE THEN 'asks-for-human'
      WHEN low_conf IS TRUE THEN 'low-confidence'
      WHEN angry IS TRUE THEN 'angry-customer'
    END AS rule,
    CASE
      WHEN legal IS TRUE THEN 'urgent'
      WHEN ent_cancel IS TRUE THEN 'high'
      WHEN prio IN ('urgent', 'high', 'normal', 'low') THEN prio
      ELSE 'normal'
    END AS priority
  FROM m
),
-- Targets in seconds (`_s`) or working days (`_bd`), per tier and priority.
sla(tier, prio, fr_s, fr_bd, res_s, res_bd) AS (
  VALUES
    ('L1', 'urgent', 900, NULL, 14400, NULL), ('L1', 'high', 3600, NULL, 28800, NULL),
    ('L1', 'normal', 14400, NULL, NULL, 2), ('L1', 'low', NULL, 1, NULL, 5),
    ('L2', 'urgent', 900, NULL, 14400, NULL), ('L2', 'high', 3600, NULL, 28800, NULL),
    ('L2', 'normal', 14400, NULL, NULL, 2), ('L2', 'low', NULL, 1, NULL, 5),
    ('L3', 'urgent', 1800, NULL, NULL, 1), ('L3', 'high', 7200, NULL, NULL, 2),
    ('L3', 'normal', 14400, NULL, NULL, 3), ('L3', 'low', NULL, 1, NULL, 5)
),
cal AS (
  SELECT work_start::BIGINT AS ws, work_end::BIGINT AS we, work_before::BIGINT AS wb,
         working_day::BIGINT AS wd, day_offset::BIGINT AS off
  FROM handoff_calendar
  WHERE work_end::BIGINT > work_start::BIGINT
),
-- Business seconds before the clock start, and its place in its working day.
c AS (
  SELECT d.*, s.fr_s, s.fr_bd, s.res_s, s.res_bd,
         b.wb + least(d.clock, b.we) - b.ws AS n0
  FROM decided d
  LEFT JOIN sla s ON s.tier = d.decision AND s.prio = d.priority
  ASOF LEFT JOIN cal b ON d.clock >= b.ws
),
p AS (
  SELECT c.*, c.n0 + c.fr_s AS fr_n, c.n0 + c.res_s AS res_n,
         w.wd + c.fr_bd AS fr_wd, w.wd + c.res_bd AS res_wd, w.off + c.n0 - w.wb AS pos
  FROM c
  ASOF LEFT JOIN (SELECT * FROM cal WHERE wd > 0) w ON c.n0 >= w.wb
),
dues AS (
  SELECT p.id, p.decision, p.rule, p.priority,
         coalesce(f.ws + p.fr_n - f.wb, fd.ws + least(p.pos - fd.off, fd.we - fd.ws)) AS fr_due,
         coalesce(r.ws + p.res_n - r.wb, rd.ws + least(p.pos - rd.off, rd.we - rd.ws)) AS res_due
  FROM p
  ASOF LEFT JOIN cal f ON p.fr_n > f.wb
  ASOF LEFT JOIN cal r ON p.res_n > r.wb
  ASOF LEFT JOIN cal fd ON p.fr_wd = fd.wd AND p.pos >= fd.off
  ASOF LEFT JOIN cal rd ON p.res_wd = rd.wd AND p.pos >= rd.off
)
SELECT
  id,
  decision,
  rule,
  priority,
  strftime(make_timestamp(fr_due * 1000000), '%Y-%m-%dT%H:%M:%SZ') AS first_response_due,
  strftime(make_timestamp(res_due * 1000000), '%Y-%m-%dT%H:%M:%SZ') AS resolution_due
FROM dues
