-- handoff sql --emit decisions --dialect bigquery: policy `support-default`
WITH src AS (
  SELECT
    NULLIF(CASE WHEN STRPOS('\u0009\u000a\u000b\u000c\u000d \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000', LEFT(`id`, 1)) > 0 OR STRPOS('\u0009\u000a\u000b\u000c\u000d \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000', RIGHT(`id`, 1)) > 0 THEN TRIM(`id`, '\u0009\u000a\u000b\u000c\u000d \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000') ELSE `id` END, '') AS f_id,
    CASE WHEN `text` IS NULL OR FALSE THEN '' ELSE CASE WHEN STRPOS(`text`, 'İ') > 0 OR STRPOS(`text`, '̇') > 0 OR STRPOS(`text`, 'ß') > 0 OR STRPOS(`text`, 'ẞ') > 0 OR STRPOS(`text`, 'ς') > 0 OR STRPOS(`text`, 'Σ') > 0 THEN REPLACE(REPLACE(LOWER(REPLACE(NORMALIZE(`text`, NFC), 'İ', 'i')), 'ß', 'ss'), 'ς', 'σ') ELSE LOWER(NORMALIZE(`text`, NFC)) END END AS t_0,
    NULLIF(CASE WHEN STRPOS('\u0009\u000a\u000b\u000c\u000d \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000', LEFT(`confidence`, 1)) > 0 OR STRPOS('\u0009\u000a\u000b\u000c\u000d \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000', RIGHT(`confidence`, 1)) > 0 THEN TRIM(`confidence`, '\u0009\u000a\u000b\u000c\u000d \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000') ELSE `confidence` END, '') AS f_confidence,
    NULLIF(CASE WHEN STRPOS('\u0009\u000a\u000b\u000c\u000d \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000', LEFT(`sentiment`, 1)) > 0 OR STRPOS('\u0009\u000a\u000b\u000c\u000d \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000', RIGHT(`sentiment`, 1)) > 0 THEN TRIM(`sentiment`, '\u0009\u000a\u000b\u000c\u000d \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000') ELSE `sentiment` END, '') AS f_sentiment,
    NULLIF(CASE WHEN STRPOS('\u0009\u000a\u000b\u000c\u000d \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000', LEFT(`customer_tier`, 1)) > 0 OR STRPOS('\u0009\u000a\u000b\u000c\u000d \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000', RIGHT(`customer_tier`, 1)) > 0 THEN TRIM(`customer_tier`, '\u0009\u000a\u000b\u000c\u000d \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000') ELSE `customer_tier` END, '') AS f_customer_tier,
    NULLIF(CASE WHEN STRPOS('\u0009\u000a\u000b\u000c\u000d \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000', LEFT(`priority`, 1)) > 0 OR STRPOS('\u0009\u000a\u000b\u000c\u000d \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000', RIGHT(`priority`, 1)) > 0 THEN TRIM(`priority`, '\u0009\u000a\u000b\u000c\u000d \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000') ELSE `priority` END, '') AS f_priority,
    NULLIF(CASE WHEN STRPOS('\u0009\u000a\u000b\u000c\u000d \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000', LEFT(`escalated_at`, 1)) > 0 OR STRPOS('\u0009\u000a\u000b\u000c\u000d \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000', RIGHT(`escalated_at`, 1)) > 0 THEN TRIM(`escalated_at`, '\u0009\u000a\u000b\u000c\u000d \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000') ELSE `escalated_at` END, '') AS f_escalated_at,
    NULLIF(CASE WHEN STRPOS('\u0009\u000a\u000b\u000c\u000d \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000', LEFT(`created_at`, 1)) > 0 OR STRPOS('\u0009\u000a\u000b\u000c\u000d \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000', RIGHT(`created_at`, 1)) > 0 THEN TRIM(`created_at`, '\u0009\u000a\u000b\u000c\u000d \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000') ELSE `created_at` END, '') AS f_created_at,
    NULLIF(CASE WHEN STRPOS('\u0009\u000a\u000b\u000c\u000d \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000', LEFT(`requested_human`, 1)) > 0 OR STRPOS('\u0009\u000a\u000b\u000c\u000d \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000', RIGHT(`requested_human`, 1)) > 0 THEN TRIM(`requested_human`, '\u0009\u000a\u000b\u000c\u000d \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000') ELSE `requested_human` END, '') AS f_requested_human
  FROM `tickets`
),
num AS (
  SELECT src.*, REGEXP_CONTAINS(f_confidence, '^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?$') AS b_f_confidence, REGEXP_CONTAINS(f_sentiment, '^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?$') AS b_f_sentiment
  FROM src
),
ts AS (
  SELECT num.*, CASE WHEN REGEXP_CONTAINS(f_escalated_at, '^([0-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?)?$') THEN f_escalated_at WHEN REGEXP_CONTAINS(f_escalated_at, '^([+]00)?([0-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])(-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])|(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01]))[Tt ]([01][0-9]|2[0-3])(:[0-5][0-9](:([0-5][0-9]|60)([.,][0-9]{1,9})?)?|[0-5][0-9](([0-5][0-9]|60)([.,][0-9]{1,9})?)?)?([Zz]|[+-]([01][0-9]|2[0-5])(:[0-5][0-9](:[0-5][0-9])?|[0-5][0-9]([0-5][0-9])?)?)?$') AND (LENGTH(f_escalated_at) >= 16 OR REGEXP_CONTAINS(f_escalated_at, '([Zz]|[+-][0-9:]+)$')) THEN SUBSTR(REPLACE(NULLIF(REGEXP_EXTRACT(f_escalated_at, '^[+]?[0-9]*([0-9]{4}-?[0-9]{2}-?[0-9]{2})[Tt ]'), ''), '-', ''), 1, 4) || '-' || SUBSTR(REPLACE(NULLIF(REGEXP_EXTRACT(f_escalated_at, '^[+]?[0-9]*([0-9]{4}-?[0-9]{2}-?[0-9]{2})[Tt ]'), ''), '-', ''), 5, 2) || '-' || SUBSTR(REPLACE(NULLIF(REGEXP_EXTRACT(f_escalated_at, '^[+]?[0-9]*([0-9]{4}-?[0-9]{2}-?[0-9]{2})[Tt ]'), ''), '-', ''), 7, 2) || 'T' || SUBSTR(RPAD(REPLACE(NULLIF(REGEXP_EXTRACT(f_escalated_at, '[Tt ]([0-9:]+)'), ''), ':', ''), 6, '0'), 1, 2) || ':' || SUBSTR(RPAD(REPLACE(NULLIF(REGEXP_EXTRACT(f_escalated_at, '[Tt ]([0-9:]+)'), ''), ':', ''), 6, '0'), 3, 2) || ':' || CASE WHEN SUBSTR(RPAD(REPLACE(NULLIF(REGEXP_EXTRACT(f_escalated_at, '[Tt ]([0-9:]+)'), ''), ':', ''), 6, '0'), 5, 2) = '60' THEN '59' ELSE SUBSTR(RPAD(REPLACE(NULLIF(REGEXP_EXTRACT(f_escalated_at, '[Tt ]([0-9:]+)'), ''), ':', ''), 6, '0'), 5, 2) END || CASE WHEN REPLACE(NULLIF(REGEXP_EXTRACT(f_escalated_at, '([Zz]|[+-][0-9:]+)$'), ''), ':', '') IS NULL THEN '' WHEN UPPER(REPLACE(NULLIF(REGEXP_EXTRACT(f_escalated_at, '([Zz]|[+-][0-9:]+)$'), ''), ':', '')) = 'Z' THEN 'Z' ELSE SUBSTR(RPAD(REPLACE(NULLIF(REGEXP_EXTRACT(f_escalated_at, '([Zz]|[+-][0-9:]+)$'), ''), ':', ''), 7, '0'), 1, 3) || ':' || SUBSTR(RPAD(REPLACE(NULLIF(REGEXP_EXTRACT(f_escalated_at, '([Zz]|[+-][0-9:]+)$'), ''), ':', ''), 7, '0'), 4, 2) || ':' || SUBSTR(RPAD(REPLACE(NULLIF(REGEXP_EXTRACT(f_escalated_at, '([Zz]|[+-][0-9:]+)$'), ''), ':', ''), 7, '0'), 6, 2) END WHEN REGEXP_CONTAINS(f_escalated_at, '^([0-9]{4}|[+-][0-9]{6}).*([.,][0-9]|\\]$)|^(-[0-9]{6}|([+]00)?9999)') THEN CAST(ERROR('handoff: a timestamp spelling replay reads is not compiled to SQL (docs/warehouse.md): ' || f_escalated_at) AS STRING) END AS g_escalated_at, CASE WHEN REGEXP_CONTAINS(f_created_at, '^([0-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?)?$') THEN f_created_at WHEN REGEXP_CONTAINS(f_created_at, '^([+]00)?([0-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])(-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])|(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01]))[Tt ]([01][0-9]|2[0-3])(:[0-5][0-9](:([0-5][0-9]|60)([.,][0-9]{1,9})?)?|[0-5][0-9](([0-5][0-9]|60)([.,][0-9]{1,9})?)?)?([Zz]|[+-]([01][0-9]|2[0-5])(:[0-5][0-9](:[0-5][0-9])?|[0-5][0-9]([0-5][0-9])?)?)?$') AND (LENGTH(f_created_at) >= 16 OR REGEXP_CONTAINS(f_created_at, '([Zz]|[+-][0-9:]+)$')) THEN SUBSTR(REPLACE(NULLIF(REGEXP_EXTRACT(f_created_at, '^[+]?[0-9]*([0-9]{4}-?[0-9]{2}-?[0-9]{2})[Tt ]'), ''), '-', ''), 1, 4) || '-' || SUBSTR(REPLACE(NULLIF(REGEXP_EXTRACT(f_created_at, '^[+]?[0-9]*([0-9]{4}-?[0-9]{2}-?[0-9]{2})[Tt ]'), ''), '-', ''), 5, 2) || '-' || SUBSTR(REPLACE(NULLIF(REGEXP_EXTRACT(f_created_at, '^[+]?[0-9]*([0-9]{4}-?[0-9]{2}-?[0-9]{2})[Tt ]'), ''), '-', ''), 7, 2) || 'T' || SUBSTR(RPAD(REPLACE(NULLIF(REGEXP_EXTRACT(f_created_at, '[Tt ]([0-9:]+)'), ''), ':', ''), 6, '0'), 1, 2) || ':' || SUBSTR(RPAD(REPLACE(NULLIF(REGEXP_EXTRACT(f_created_at, '[Tt ]([0-9:]+)'), ''), ':', ''), 6, '0'), 3, 2) || ':' || CASE WHEN SUBSTR(RPAD(REPLACE(NULLIF(REGEXP_EXTRACT(f_created_at, '[Tt ]([0-9:]+)'), ''), ':', ''), 6, '0'), 5, 2) = '60' THEN '59' ELSE SUBSTR(RPAD(REPLACE(NULLIF(REGEXP_EXTRACT(f_created_at, '[Tt ]([0-9:]+)'), ''), ':', ''), 6, '0'), 5, 2) END || CASE WHEN REPLACE(NULLIF(REGEXP_EXTRACT(f_created_at, '([Zz]|[+-][0-9:]+)$'), ''), ':', '') IS NULL THEN '' WHEN UPPER(REPLACE(NULLIF(REGEXP_EXTRACT(f_created_at, '([Zz]|[+-][0-9:]+)$'), ''), ':', '')) = 'Z' THEN 'Z' ELSE SUBSTR(RPAD(REPLACE(NULLIF(REGEXP_EXTRACT(f_created_at, '([Zz]|[+-][0-9:]+)$'), ''), ':', ''), 7, '0'), 1, 3) || ':' || SUBSTR(RPAD(REPLACE(NULLIF(REGEXP_EXTRACT(f_created_at, '([Zz]|[+-][0-9:]+)$'), ''), ':', ''), 7, '0'), 4, 2) || ':' || SUBSTR(RPAD(REPLACE(NULLIF(REGEXP_EXTRACT(f_created_at, '([Zz]|[+-][0-9:]+)$'), ''), ':', ''), 7, '0'), 6, 2) END WHEN REGEXP_CONTAINS(f_created_at, '^([0-9]{4}|[+-][0-9]{6}).*([.,][0-9]|\\]$)|^(-[0-9]{6}|([+]00)?9999)') THEN CAST(ERROR('handoff: a timestamp spelling replay reads is not compiled to SQL (docs/warehouse.md): ' || f_created_at) AS STRING) END AS g_created_at
  FROM num
),
v AS (
  SELECT
    f_id AS id,
    CASE WHEN f_confidence IS NULL THEN NULL WHEN b_f_confidence AND (SAFE_CAST(f_confidence AS FLOAT64) >= CAST('0' AS FLOAT64) AND SAFE_CAST(f_confidence AS FLOAT64) <= CAST('1' AS FLOAT64)) THEN SAFE_CAST(f_confidence AS FLOAT64) END AS c_confidence,
    CASE WHEN f_sentiment IS NULL THEN NULL WHEN b_f_sentiment AND (SAFE_CAST(f_sentiment AS FLOAT64) >= CAST('-1' AS FLOAT64) AND SAFE_CAST(f_sentiment AS FLOAT64) <= CAST('1' AS FLOAT64)) THEN SAFE_CAST(f_sentiment AS FLOAT64) END AS c_sentiment,
    LOWER(f_customer_tier) AS l_customer_tier,
    CASE WHEN LOWER(f_priority) IN ('urgent', 'high', 'normal', 'low') THEN LOWER(f_priority) END AS l_priority,
    CASE WHEN LOWER(f_requested_human) IN ('true', 'yes', 'y', '1', 't') THEN TRUE WHEN LOWER(f_requested_human) IN ('false', 'no', 'n', '0', 'f') THEN FALSE END AS h_requested_human,
    (t_0 <> '') AS has_text,
    (REGEXP_CONTAINS(t_0, '(?:^|[^\\p{L}\\p{N}_])(?:(?:legal|lawsuit|attorney|gdpr|subpoena)(?:[^\\p{L}\\p{N}_]|$)|lawyer)')) AS k_0,
    (REGEXP_CONTAINS(t_0, '(?:^|[^\\p{L}\\p{N}_])(?:chargeback(?:[^\\p{L}\\p{N}_]|$)|cancel|refund)')) AS k_1,
    COALESCE(CASE WHEN f_id IS NULL THEN 'id: empty' END, CASE WHEN f_confidence IS NULL THEN NULL WHEN NOT b_f_confidence THEN 'confidence: `' || f_confidence || '` is not a number' WHEN b_f_confidence AND NOT (SAFE_CAST(f_confidence AS FLOAT64) >= CAST('0' AS FLOAT64) AND SAFE_CAST(f_confidence AS FLOAT64) <= CAST('1' AS FLOAT64)) THEN 'confidence: ' || f_confidence || ' is outside 0..1' END, CASE WHEN f_sentiment IS NULL THEN NULL WHEN NOT b_f_sentiment THEN 'sentiment: `' || f_sentiment || '` is not a number' WHEN b_f_sentiment AND NOT (SAFE_CAST(f_sentiment AS FLOAT64) >= CAST('-1' AS FLOAT64) AND SAFE_CAST(f_sentiment AS FLOAT64) <= CAST('1' AS FLOAT64)) THEN 'sentiment: ' || f_sentiment || ' is outside -1..1' END, CASE WHEN f_requested_human IS NOT NULL AND NOT LOWER(f_requested_human) IN ('true', 'yes', 'y', '1', 't') AND NOT LOWER(f_requested_human) IN ('false', 'no', 'n', '0', 'f') THEN 'requested_human: `' || f_requested_human || '` is not true/false, yes/no or 1/0' END) AS rejected,
    COALESCE(CASE WHEN g_escalated_at IS NULL THEN NULL WHEN REGEXP_CONTAINS(g_escalated_at, '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z?$') THEN UNIX_DATE(SAFE_CAST(SUBSTR(g_escalated_at, 1, 10) AS DATE)) * 86400 + CAST(SUBSTR(g_escalated_at, 12, 2) AS INT64) * 3600 + CAST(SUBSTR(g_escalated_at, 15, 2) AS INT64) * 60 + CAST(SUBSTR(g_escalated_at, 18, 2) AS INT64) WHEN REGEXP_CONTAINS(g_escalated_at, '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9][+-]([01][0-9]|2[0-3]):[0-5][0-9]$') THEN UNIX_DATE(SAFE_CAST(SUBSTR(g_escalated_at, 1, 10) AS DATE)) * 86400 + CAST(SUBSTR(g_escalated_at, 12, 2) AS INT64) * 3600 + CAST(SUBSTR(g_escalated_at, 15, 2) AS INT64) * 60 + CAST(SUBSTR(g_escalated_at, 18, 2) AS INT64) - (CASE WHEN SUBSTR(g_escalated_at, 20, 1) = '-' THEN -1 ELSE 1 END) * (CAST(SUBSTR(g_escalated_at, 21, 2) AS INT64) * 3600 + CAST(SUBSTR(g_escalated_at, 24, 2) AS INT64) * 60) WHEN REGEXP_CONTAINS(g_escalated_at, '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9][+-]([01][0-9]|2[0-5]):[0-5][0-9]:[0-5][0-9]$') THEN UNIX_DATE(SAFE_CAST(SUBSTR(g_escalated_at, 1, 10) AS DATE)) * 86400 + CAST(SUBSTR(g_escalated_at, 12, 2) AS INT64) * 3600 + CAST(SUBSTR(g_escalated_at, 15, 2) AS INT64) * 60 + CAST(SUBSTR(g_escalated_at, 18, 2) AS INT64) - (CASE WHEN SUBSTR(g_escalated_at, 20, 1) = '-' THEN -1 ELSE 1 END) * (CAST(SUBSTR(g_escalated_at, 21, 2) AS INT64) * 3600 + CAST(SUBSTR(g_escalated_at, 24, 2) AS INT64) * 60 + CAST(SUBSTR(g_escalated_at, 27, 2) AS INT64)) WHEN REGEXP_CONTAINS(g_escalated_at, '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[T ]([01][0-9]|2[0-3]):[0-5][0-9]$') THEN UNIX_DATE(SAFE_CAST(SUBSTR(g_escalated_at, 1, 10) AS DATE)) * 86400 + CAST(SUBSTR(g_escalated_at, 12, 2) AS INT64) * 3600 + CAST(SUBSTR(g_escalated_at, 15, 2) AS INT64) * 60 END, CASE WHEN g_created_at IS NULL THEN NULL WHEN REGEXP_CONTAINS(g_created_at, '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z?$') THEN UNIX_DATE(SAFE_CAST(SUBSTR(g_created_at, 1, 10) AS DATE)) * 86400 + CAST(SUBSTR(g_created_at, 12, 2) AS INT64) * 3600 + CAST(SUBSTR(g_created_at, 15, 2) AS INT64) * 60 + CAST(SUBSTR(g_created_at, 18, 2) AS INT64) WHEN REGEXP_CONTAINS(g_created_at, '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9][+-]([01][0-9]|2[0-3]):[0-5][0-9]$') THEN UNIX_DATE(SAFE_CAST(SUBSTR(g_created_at, 1, 10) AS DATE)) * 86400 + CAST(SUBSTR(g_created_at, 12, 2) AS INT64) * 3600 + CAST(SUBSTR(g_created_at, 15, 2) AS INT64) * 60 + CAST(SUBSTR(g_created_at, 18, 2) AS INT64) - (CASE WHEN SUBSTR(g_created_at, 20, 1) = '-' THEN -1 ELSE 1 END) * (CAST(SUBSTR(g_created_at, 21, 2) AS INT64) * 3600 + CAST(SUBSTR(g_created_at, 24, 2) AS INT64) * 60) WHEN REGEXP_CONTAINS(g_created_at, '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9][+-]([01][0-9]|2[0-5]):[0-5][0-9]:[0-5][0-9]$') THEN UNIX_DATE(SAFE_CAST(SUBSTR(g_created_at, 1, 10) AS DATE)) * 86400 + CAST(SUBSTR(g_created_at, 12, 2) AS INT64) * 3600 + CAST(SUBSTR(g_created_at, 15, 2) AS INT64) * 60 + CAST(SUBSTR(g_created_at, 18, 2) AS INT64) - (CASE WHEN SUBSTR(g_created_at, 20, 1) = '-' THEN -1 ELSE 1 END) * (CAST(SUBSTR(g_created_at, 21, 2) AS INT64) * 3600 + CAST(SUBSTR(g_created_at, 24, 2) AS INT64) * 60 + CAST(SUBSTR(g_created_at, 27, 2) AS INT64)) WHEN REGEXP_CONTAINS(g_created_at, '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[T ]([01][0-9]|2[0-3]):[0-5][0-9]$') THEN UNIX_DATE(SAFE_CAST(SUBSTR(g_created_at, 1, 10) AS DATE)) * 86400 + CAST(SUBSTR(g_created_at, 12, 2) AS INT64) * 3600 + CAST(SUBSTR(g_created_at, 15, 2) AS INT64) * 60 END) AS clock_start
  FROM ts
),
r AS (
  SELECT
    id,
    rejected,
    l_priority,
    clock_start,
    (CASE WHEN h_requested_human IS NOT NULL THEN h_requested_human END) AS r_0,
    (CASE WHEN has_text THEN (k_0) END) AS r_1,
    ((CASE WHEN has_text THEN (k_1) END) AND (CASE WHEN l_customer_tier IS NOT NULL THEN ((l_customer_tier IN ('enterprise'))) END)) AS r_2,
    (CASE WHEN c_confidence IS NOT NULL THEN (c_confidence < CAST('0.8' AS FLOAT64)) END) AS r_3,
    (CASE WHEN c_sentiment IS NOT NULL THEN (c_sentiment < CAST('-0.5' AS FLOAT64)) END) AS r_4
  FROM v
),
s AS (
  SELECT r.*, CASE WHEN r_1 THEN 1 WHEN r_2 THEN 2 WHEN r_3 THEN 3 WHEN r_4 THEN 4 ELSE 5 END AS stop
  FROM r
),
t AS (
  SELECT id, rejected, clock_start, CASE WHEN stop = 1 THEN 1 WHEN stop = 2 THEN 2 WHEN (r_0 AND stop >= 0) THEN 0 WHEN stop = 3 THEN 3 WHEN stop = 4 THEN 4 ELSE -1 END AS decider, COALESCE(CASE WHEN stop = 1 THEN 0 WHEN stop = 2 THEN 1 END, CASE l_priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 WHEN 'low' THEN 3 END, 2) AS priority_index
  FROM s
),
u AS (
  SELECT t.*, CASE decider WHEN 0 THEN 1 WHEN 1 THEN 3 WHEN 2 THEN 2 WHEN 3 THEN 1 WHEN 4 THEN 1 ELSE 0 END AS decided_rank
  FROM t
),
due_cal AS (
  SELECT CAST(c.`day_start` AS INT64) AS cal_day, CAST(c.`work_start` AS INT64) AS cal_start, CAST(c.`work_end` AS INT64) AS cal_end, CAST(c.`work_before` AS INT64) AS cal_before, CAST(c.`working_day` AS INT64) AS cal_wd, CAST(c.`day_offset` AS INT64) AS cal_off
  FROM `handoff_calendar` c
),
due_seg AS (
  SELECT cal_day, cal_start, cal_end, cal_before,
    CASE WHEN LAG(cal_start) OVER (PARTITION BY cal_day ORDER BY cal_start) IS NULL THEN cal_day ELSE cal_start END AS cal_lo,
    COALESCE(LEAD(cal_start) OVER (PARTITION BY cal_day ORDER BY cal_start), cal_day + 86400) AS cal_hi
  FROM due_cal
),
due_cnt AS (
  SELECT CAST(FLOOR((cal_before + 1) / 86400.0) AS INT64) AS cal_bucket, cal_start, cal_end, cal_before FROM due_cal WHERE cal_end > cal_start
  UNION ALL
  SELECT CAST(FLOOR((cal_before + (cal_end - cal_start)) / 86400.0) AS INT64) AS cal_bucket, cal_start, cal_end, cal_before FROM due_cal WHERE cal_end > cal_start AND CAST(FLOOR((cal_before + (cal_end - cal_start)) / 86400.0) AS INT64) <> CAST(FLOOR((cal_before + 1) / 86400.0) AS INT64)
),
due_pos AS (
  SELECT CAST(FLOOR((cal_before) / 86400.0) AS INT64) AS cal_bucket, cal_start, cal_end, cal_before, cal_wd, cal_off FROM due_cal WHERE cal_wd > 0 AND cal_end > cal_start
  UNION ALL
  SELECT CAST(FLOOR((cal_before + (cal_end - cal_start) - 1) / 86400.0) AS INT64) AS cal_bucket, cal_start, cal_end, cal_before, cal_wd, cal_off FROM due_cal WHERE cal_wd > 0 AND cal_end > cal_start AND CAST(FLOOR((cal_before + (cal_end - cal_start) - 1) / 86400.0) AS INT64) <> CAST(FLOOR((cal_before) / 86400.0) AS INT64)
),
due_days AS (
  SELECT cal_wd, cal_off, cal_start, cal_end,
    CASE WHEN cal_end = MAX(cal_end) OVER (PARTITION BY cal_wd) THEN 1000000 ELSE cal_off + (cal_end - cal_start) END AS cal_off_end
  FROM due_cal
  WHERE cal_wd > 0 AND cal_end > cal_start
),
w AS (
  SELECT u.*, CAST(FLOOR((clock_start) / 86400.0) AS INT64) * 86400 AS clock_day, CASE WHEN rejected IS NULL THEN CASE decided_rank * 1000 + priority_index WHEN 1000 THEN 900 WHEN 1001 THEN 3600 WHEN 1002 THEN 14400 WHEN 2000 THEN 900 WHEN 2001 THEN 3600 WHEN 2002 THEN 14400 WHEN 3000 THEN 1800 WHEN 3001 THEN 7200 WHEN 3002 THEN 14400 END END AS due_s_0, CASE WHEN rejected IS NULL THEN CASE decided_rank * 1000 + priority_index WHEN 1003 THEN 1 WHEN 2003 THEN 1 WHEN 3003 THEN 1 END END AS due_d_0, CASE WHEN rejected IS NULL THEN CASE decided_rank * 1000 + priority_index WHEN 1000 THEN 14400 WHEN 1001 THEN 28800 WHEN 2000 THEN 14400 WHEN 2001 THEN 28800 END END AS due_s_1, CASE WHEN rejected IS NULL THEN CASE decided_rank * 1000 + priority_index WHEN 1002 THEN 2 WHEN 1003 THEN 5 WHEN 2002 THEN 2 WHEN 2003 THEN 5 WHEN 3000 THEN 1 WHEN 3001 THEN 2 WHEN 3002 THEN 3 WHEN 3003 THEN 5 END END AS due_d_1
  FROM u
),
x AS (
  SELECT w.*, seg.cal_before + CASE WHEN w.clock_start <= seg.cal_start THEN 0 WHEN w.clock_start >= seg.cal_end THEN seg.cal_end - seg.cal_start ELSE w.clock_start - seg.cal_start END AS clock_count
  FROM w LEFT JOIN due_seg seg ON seg.cal_day = w.clock_day AND seg.cal_lo <= w.clock_start AND w.clock_start < seg.cal_hi
),
y AS (
  SELECT x.*, CAST(FLOOR((clock_count) / 86400.0) AS INT64) AS clock_bucket, clock_count + due_s_0 AS cnt_0, CAST(FLOOR((clock_count + due_s_0) / 86400.0) AS INT64) AS bkt_0, clock_count + due_s_1 AS cnt_1, CAST(FLOOR((clock_count + due_s_1) / 86400.0) AS INT64) AS bkt_1
  FROM x
),
z AS (
  SELECT y.*, pos.cal_off + (y.clock_count - pos.cal_before) AS clock_off, pos.cal_wd + y.due_d_0 AS wd_0, pos.cal_wd + y.due_d_1 AS wd_1
  FROM y LEFT JOIN due_pos pos ON pos.cal_bucket = y.clock_bucket AND pos.cal_before <= y.clock_count AND y.clock_count < pos.cal_before + (pos.cal_end - pos.cal_start)
)
SELECT
    id,
    CASE WHEN rejected IS NULL THEN CASE decider WHEN 0 THEN 'L1' WHEN 1 THEN 'L3' WHEN 2 THEN 'L2' WHEN 3 THEN 'L1' WHEN 4 THEN 'L1' ELSE 'ai' END END AS decision,
    CASE WHEN rejected IS NULL THEN CASE decider WHEN 0 THEN 'asks-for-human' WHEN 1 THEN 'legal-risk' WHEN 2 THEN 'enterprise-cancel' WHEN 3 THEN 'low-confidence' WHEN 4 THEN 'angry-customer' ELSE '(default)' END END AS rule,
    CASE WHEN rejected IS NULL THEN CASE decider WHEN 0 THEN 'reactive' WHEN 1 THEN 'proactive' WHEN 2 THEN 'proactive' WHEN 3 THEN 'proactive' WHEN 4 THEN 'proactive' ELSE 'default' END END AS reason_kind,
    CASE WHEN rejected IS NULL THEN CASE priority_index WHEN 0 THEN 'urgent' WHEN 1 THEN 'high' WHEN 2 THEN 'normal' WHEN 3 THEN 'low' END END AS priority,
    CASE WHEN rejected IS NULL THEN FORMAT_TIMESTAMP('%Y-%m-%dT%H:%M:%SZ', TIMESTAMP_SECONDS(CAST((CASE WHEN z.due_s_0 IS NOT NULL THEN s_0.cal_start + (z.cnt_0 - s_0.cal_before) WHEN z.due_d_0 IS NOT NULL THEN d_0.cal_start + CASE WHEN z.clock_off - d_0.cal_off < d_0.cal_end - d_0.cal_start THEN z.clock_off - d_0.cal_off ELSE d_0.cal_end - d_0.cal_start END END) AS INT64))) END AS first_response_due,
    CASE WHEN rejected IS NULL THEN FORMAT_TIMESTAMP('%Y-%m-%dT%H:%M:%SZ', TIMESTAMP_SECONDS(CAST((CASE WHEN z.due_s_1 IS NOT NULL THEN s_1.cal_start + (z.cnt_1 - s_1.cal_before) WHEN z.due_d_1 IS NOT NULL THEN d_1.cal_start + CASE WHEN z.clock_off - d_1.cal_off < d_1.cal_end - d_1.cal_start THEN z.clock_off - d_1.cal_off ELSE d_1.cal_end - d_1.cal_start END END) AS INT64))) END AS resolution_due,
    rejected
FROM z
LEFT JOIN due_cnt s_0 ON s_0.cal_bucket = z.bkt_0 AND s_0.cal_before < z.cnt_0 AND z.cnt_0 <= s_0.cal_before + (s_0.cal_end - s_0.cal_start)
LEFT JOIN due_days d_0 ON d_0.cal_wd = z.wd_0 AND d_0.cal_off <= z.clock_off AND z.clock_off < d_0.cal_off_end
LEFT JOIN due_cnt s_1 ON s_1.cal_bucket = z.bkt_1 AND s_1.cal_before < z.cnt_1 AND z.cnt_1 <= s_1.cal_before + (s_1.cal_end - s_1.cal_start)
LEFT JOIN due_days d_1 ON d_1.cal_wd = z.wd_1 AND d_1.cal_off <= z.clock_off AND z.clock_off < d_1.cal_off_end
