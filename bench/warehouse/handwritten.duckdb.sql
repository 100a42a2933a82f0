-- policies/support.yaml routed by hand in DuckDB: the yardstick for the generated query
-- (bench/warehouse.sh). The table `tickets` holds the CSV's columns as text, as a CSV loads them.
-- Semantics as replay's (DESIGN §2, §4): an empty or unparsable value is unknown and never
-- matches; keywords are whole words with Unicode letters, numbers and `_` as word characters
-- (RE2's \b is ASCII-only, so the classes are spelled out); text is NFC-normalised and
-- lower-cased; rules are tried in order, `continue` keeps going, the highest tier wins.
WITH t AS (
  SELECT
    id,
    lower(nfc_normalize(text)) AS body,
    TRY_CAST(trim(confidence) AS DOUBLE) AS conf,
    TRY_CAST(trim(sentiment) AS DOUBLE) AS sent,
    lower(trim(customer_tier)) AS customer,
    lower(trim(requested_human)) IN ('true', 'yes', 'y', '1', 't') AS human
  FROM tickets
),
m AS (
  SELECT
    id,
    human,
    regexp_matches(body, '(?:^|[^\p{L}\p{N}_])(?:(?:legal|lawsuit|attorney|gdpr|subpoena)(?:$|[^\p{L}\p{N}_])|lawyer)') AS legal,
    regexp_matches(body, '(?:^|[^\p{L}\p{N}_])(?:cancel|refund|chargeback(?:$|[^\p{L}\p{N}_]))') AND customer = 'enterprise' AS ent_cancel,
    conf < 0.80 AS low_conf,
    sent < -0.5 AS angry
  FROM t
)
SELECT
  id,
  CASE
    WHEN legal IS TRUE THEN 'L3'
    WHEN ent_cancel IS TRUE THEN 'L2'
    WHEN human IS TRUE OR low_conf IS TRUE OR angry IS TRUE THEN 'L1'
    ELSE 'ai'
  END AS decision,
  CASE
    WHEN legal IS TRUE THEN 'legal-risk'
    WHEN ent_cancel IS TRUE THEN 'enterprise-cancel'
    WHEN low_conf IS TRUE THEN 'low-confidence'
    WHEN angry IS TRUE THEN 'angry-customer'
    WHEN human IS TRUE THEN 'asks-for-human'
  END AS rule
FROM m
