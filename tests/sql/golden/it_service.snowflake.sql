-- handoff sql --emit decisions --dialect snowflake: policy `it-service-desk`
WITH src AS (
  SELECT
    NULLIF(CASE WHEN POSITION(LEFT("id", 1), '	
                  　') > 0 OR POSITION(RIGHT("id", 1), '	
                  　') > 0 THEN TRIM("id", '	
                  　') ELSE "id" END, '') AS f_id,
    CASE WHEN "text" IS NULL OR FALSE THEN '' ELSE CASE WHEN POSITION('İ', "text") > 0 OR POSITION('̇', "text") > 0 OR POSITION('ß', "text") > 0 OR POSITION('ẞ', "text") > 0 OR POSITION('ς', "text") > 0 OR POSITION('Σ', "text") > 0 THEN REPLACE(REPLACE(LOWER(REPLACE("text", 'İ', 'i')), 'ß', 'ss'), 'ς', 'σ') ELSE LOWER("text") END END AS t_0,
    NULLIF(CASE WHEN POSITION(LEFT("confidence", 1), '	
                  　') > 0 OR POSITION(RIGHT("confidence", 1), '	
                  　') > 0 THEN TRIM("confidence", '	
                  　') ELSE "confidence" END, '') AS f_confidence,
    NULLIF(CASE WHEN POSITION(LEFT("sentiment", 1), '	
                  　') > 0 OR POSITION(RIGHT("sentiment", 1), '	
                  　') > 0 THEN TRIM("sentiment", '	
                  　') ELSE "sentiment" END, '') AS f_sentiment,
    NULLIF(CASE WHEN POSITION(LEFT("category", 1), '	
                  　') > 0 OR POSITION(RIGHT("category", 1), '	
                  　') > 0 THEN TRIM("category", '	
                  　') ELSE "category" END, '') AS f_category,
    NULLIF(CASE WHEN POSITION(LEFT("priority", 1), '	
                  　') > 0 OR POSITION(RIGHT("priority", 1), '	
                  　') > 0 THEN TRIM("priority", '	
                  　') ELSE "priority" END, '') AS f_priority,
    NULLIF(CASE WHEN POSITION(LEFT("escalated_at", 1), '	
                  　') > 0 OR POSITION(RIGHT("escalated_at", 1), '	
                  　') > 0 THEN TRIM("escalated_at", '	
                  　') ELSE "escalated_at" END, '') AS f_escalated_at,
    NULLIF(CASE WHEN POSITION(LEFT("created_at", 1), '	
                  　') > 0 OR POSITION(RIGHT("created_at", 1), '	
                  　') > 0 THEN TRIM("created_at", '	
                  　') ELSE "created_at" END, '') AS f_created_at,
    NULLIF(CASE WHEN POSITION(LEFT("requested_human", 1), '	
                  　') > 0 OR POSITION(RIGHT("requested_human", 1), '	
                  　') > 0 THEN TRIM("requested_human", '	
                  　') ELSE "requested_human" END, '') AS f_requested_human,
    NULLIF(CASE WHEN POSITION(LEFT("reassignments", 1), '	
                  　') > 0 OR POSITION(RIGHT("reassignments", 1), '	
                  　') > 0 THEN TRIM("reassignments", '	
                  　') ELSE "reassignments" END, '') AS x_reopen_count
  FROM "tickets"
),
num AS (
  SELECT src.*, (REGEXP_INSTR(f_confidence, '^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$') > 0) AS b_f_confidence, (REGEXP_INSTR(f_sentiment, '^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$') > 0) AS b_f_sentiment, (REGEXP_INSTR(x_reopen_count, '^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$') > 0) AS b_x_reopen_count
  FROM src
),
ts AS (
  SELECT num.*, CASE WHEN (REGEXP_INSTR(f_escalated_at, '^([0-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?)?$') > 0) THEN f_escalated_at WHEN (REGEXP_INSTR(f_escalated_at, '^([+]00)?([0-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])(-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])|(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01]))[Tt ]([01][0-9]|2[0-3])(:[0-5][0-9](:([0-5][0-9]|60)([.,][0-9]{1,9})?)?|[0-5][0-9](([0-5][0-9]|60)([.,][0-9]{1,9})?)?)?([Zz]|[+-]([01][0-9]|2[0-5])(:[0-5][0-9](:[0-5][0-9])?|[0-5][0-9]([0-5][0-9])?)?)?$') > 0) AND (LENGTH(f_escalated_at) >= 16 OR (REGEXP_INSTR(f_escalated_at, '([Zz]|[+-][0-9:]+)$') > 0)) THEN SUBSTR(REPLACE(NULLIF(REGEXP_SUBSTR(f_escalated_at, '^[+]?[0-9]*([0-9]{4}-?[0-9]{2}-?[0-9]{2})[Tt ]', 1, 1, 'e', 1), ''), '-', ''), 1, 4) || '-' || SUBSTR(REPLACE(NULLIF(REGEXP_SUBSTR(f_escalated_at, '^[+]?[0-9]*([0-9]{4}-?[0-9]{2}-?[0-9]{2})[Tt ]', 1, 1, 'e', 1), ''), '-', ''), 5, 2) || '-' || SUBSTR(REPLACE(NULLIF(REGEXP_SUBSTR(f_escalated_at, '^[+]?[0-9]*([0-9]{4}-?[0-9]{2}-?[0-9]{2})[Tt ]', 1, 1, 'e', 1), ''), '-', ''), 7, 2) || 'T' || SUBSTR(RPAD(REPLACE(NULLIF(REGEXP_SUBSTR(f_escalated_at, '[Tt ]([0-9:]+)', 1, 1, 'e', 1), ''), ':', ''), 6, '0'), 1, 2) || ':' || SUBSTR(RPAD(REPLACE(NULLIF(REGEXP_SUBSTR(f_escalated_at, '[Tt ]([0-9:]+)', 1, 1, 'e', 1), ''), ':', ''), 6, '0'), 3, 2) || ':' || CASE WHEN SUBSTR(RPAD(REPLACE(NULLIF(REGEXP_SUBSTR(f_escalated_at, '[Tt ]([0-9:]+)', 1, 1, 'e', 1), ''), ':', ''), 6, '0'), 5, 2) = '60' THEN '59' ELSE SUBSTR(RPAD(REPLACE(NULLIF(REGEXP_SUBSTR(f_escalated_at, '[Tt ]([0-9:]+)', 1, 1, 'e', 1), ''), ':', ''), 6, '0'), 5, 2) END || CASE WHEN REPLACE(NULLIF(REGEXP_SUBSTR(f_escalated_at, '([Zz]|[+-][0-9:]+)$', 1, 1, 'e', 1), ''), ':', '') IS NULL THEN '' WHEN UPPER(REPLACE(NULLIF(REGEXP_SUBSTR(f_escalated_at, '([Zz]|[+-][0-9:]+)$', 1, 1, 'e', 1), ''), ':', '')) = 'Z' THEN 'Z' ELSE SUBSTR(RPAD(REPLACE(NULLIF(REGEXP_SUBSTR(f_escalated_at, '([Zz]|[+-][0-9:]+)$', 1, 1, 'e', 1), ''), ':', ''), 7, '0'), 1, 3) || ':' || SUBSTR(RPAD(REPLACE(NULLIF(REGEXP_SUBSTR(f_escalated_at, '([Zz]|[+-][0-9:]+)$', 1, 1, 'e', 1), ''), ':', ''), 7, '0'), 4, 2) || ':' || SUBSTR(RPAD(REPLACE(NULLIF(REGEXP_SUBSTR(f_escalated_at, '([Zz]|[+-][0-9:]+)$', 1, 1, 'e', 1), ''), ':', ''), 7, '0'), 6, 2) END WHEN (REGEXP_INSTR(f_escalated_at, '^([0-9]{4}|[+-][0-9]{6}).*([.,][0-9]|\]$)|^(-[0-9]{6}|([+]00)?9999)') > 0) THEN CAST(CAST('handoff: a timestamp spelling replay reads is not compiled to SQL (docs/warehouse.md): ' || f_escalated_at AS BIGINT) AS VARCHAR) END AS g_escalated_at, CASE WHEN (REGEXP_INSTR(f_created_at, '^([0-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?)?$') > 0) THEN f_created_at WHEN (REGEXP_INSTR(f_created_at, '^([+]00)?([0-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])(-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])|(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01]))[Tt ]([01][0-9]|2[0-3])(:[0-5][0-9](:([0-5][0-9]|60)([.,][0-9]{1,9})?)?|[0-5][0-9](([0-5][0-9]|60)([.,][0-9]{1,9})?)?)?([Zz]|[+-]([01][0-9]|2[0-5])(:[0-5][0-9](:[0-5][0-9])?|[0-5][0-9]([0-5][0-9])?)?)?$') > 0) AND (LENGTH(f_created_at) >= 16 OR (REGEXP_INSTR(f_created_at, '([Zz]|[+-][0-9:]+)$') > 0)) THEN SUBSTR(REPLACE(NULLIF(REGEXP_SUBSTR(f_created_at, '^[+]?[0-9]*([0-9]{4}-?[0-9]{2}-?[0-9]{2})[Tt ]', 1, 1, 'e', 1), ''), '-', ''), 1, 4) || '-' || SUBSTR(REPLACE(NULLIF(REGEXP_SUBSTR(f_created_at, '^[+]?[0-9]*([0-9]{4}-?[0-9]{2}-?[0-9]{2})[Tt ]', 1, 1, 'e', 1), ''), '-', ''), 5, 2) || '-' || SUBSTR(REPLACE(NULLIF(REGEXP_SUBSTR(f_created_at, '^[+]?[0-9]*([0-9]{4}-?[0-9]{2}-?[0-9]{2})[Tt ]', 1, 1, 'e', 1), ''), '-', ''), 7, 2) || 'T' || SUBSTR(RPAD(REPLACE(NULLIF(REGEXP_SUBSTR(f_created_at, '[Tt ]([0-9:]+)', 1, 1, 'e', 1), ''), ':', ''), 6, '0'), 1, 2) || ':' || SUBSTR(RPAD(REPLACE(NULLIF(REGEXP_SUBSTR(f_created_at, '[Tt ]([0-9:]+)', 1, 1, 'e', 1), ''), ':', ''), 6, '0'), 3, 2) || ':' || CASE WHEN SUBSTR(RPAD(REPLACE(NULLIF(REGEXP_SUBSTR(f_created_at, '[Tt ]([0-9:]+)', 1, 1, 'e', 1), ''), ':', ''), 6, '0'), 5, 2) = '60' THEN '59' ELSE SUBSTR(RPAD(REPLACE(NULLIF(REGEXP_SUBSTR(f_created_at, '[Tt ]([0-9:]+)', 1, 1, 'e', 1), ''), ':', ''), 6, '0'), 5, 2) END || CASE WHEN REPLACE(NULLIF(REGEXP_SUBSTR(f_created_at, '([Zz]|[+-][0-9:]+)$', 1, 1, 'e', 1), ''), ':', '') IS NULL THEN '' WHEN UPPER(REPLACE(NULLIF(REGEXP_SUBSTR(f_created_at, '([Zz]|[+-][0-9:]+)$', 1, 1, 'e', 1), ''), ':', '')) = 'Z' THEN 'Z' ELSE SUBSTR(RPAD(REPLACE(NULLIF(REGEXP_SUBSTR(f_created_at, '([Zz]|[+-][0-9:]+)$', 1, 1, 'e', 1), ''), ':', ''), 7, '0'), 1, 3) || ':' || SUBSTR(RPAD(REPLACE(NULLIF(REGEXP_SUBSTR(f_created_at, '([Zz]|[+-][0-9:]+)$', 1, 1, 'e', 1), ''), ':', ''), 7, '0'), 4, 2) || ':' || SUBSTR(RPAD(REPLACE(NULLIF(REGEXP_SUBSTR(f_created_at, '([Zz]|[+-][0-9:]+)$', 1, 1, 'e', 1), ''), ':', ''), 7, '0'), 6, 2) END WHEN (REGEXP_INSTR(f_created_at, '^([0-9]{4}|[+-][0-9]{6}).*([.,][0-9]|\]$)|^(-[0-9]{6}|([+]00)?9999)') > 0) THEN CAST(CAST('handoff: a timestamp spelling replay reads is not compiled to SQL (docs/warehouse.md): ' || f_created_at AS BIGINT) AS VARCHAR) END AS g_created_at
  FROM num
),
v AS (
  SELECT
    f_id AS id,
    CASE WHEN f_confidence IS NULL THEN NULL WHEN b_f_confidence AND (TRY_CAST(f_confidence AS DOUBLE) >= CAST('0' AS DOUBLE) AND TRY_CAST(f_confidence AS DOUBLE) <= CAST('1' AS DOUBLE)) THEN TRY_CAST(f_confidence AS DOUBLE) END AS c_confidence,
    CASE WHEN f_sentiment IS NULL THEN NULL WHEN b_f_sentiment AND (TRY_CAST(f_sentiment AS DOUBLE) >= CAST('-1' AS DOUBLE) AND TRY_CAST(f_sentiment AS DOUBLE) <= CAST('1' AS DOUBLE)) THEN TRY_CAST(f_sentiment AS DOUBLE) END AS c_sentiment,
    CASE WHEN x_reopen_count IS NULL THEN NULL WHEN b_x_reopen_count AND TRUE THEN TRY_CAST(x_reopen_count AS DOUBLE) END AS c_reopen_count,
    CASE LOWER(f_category) WHEN 'account' THEN 'access' WHEN 'technical' THEN 'incident' ELSE LOWER(f_category) END AS l_category,
    CASE WHEN CASE LOWER(f_priority) WHEN 'high' THEN 'p2' WHEN 'low' THEN 'p4' WHEN 'normal' THEN 'p3' WHEN 'urgent' THEN 'p1' ELSE LOWER(f_priority) END IN ('p1', 'p2', 'p3', 'p4') THEN CASE LOWER(f_priority) WHEN 'high' THEN 'p2' WHEN 'low' THEN 'p4' WHEN 'normal' THEN 'p3' WHEN 'urgent' THEN 'p1' ELSE LOWER(f_priority) END END AS l_priority,
    CASE WHEN LOWER(f_requested_human) IN ('true', 'yes', 'y', '1', 't') THEN TRUE WHEN LOWER(f_requested_human) IN ('false', 'no', 'n', '0', 'f') THEN FALSE END AS h_requested_human,
    x_reopen_count,
    (t_0 <> '') AS has_text,
    ((REGEXP_INSTR(t_0, '(^|[^[:alnum:]_])(phishing|malware|ransomware|breach|compromised|suspicious login|virus)([^[:alnum:]_]|$)') > 0)) AS k_0,
    ((REGEXP_INSTR(t_0, '(^|[^[:alnum:]_])(outage|down|not loading|500 error|unreachable)([^[:alnum:]_]|$)') > 0)) AS k_1,
    ((REGEXP_INSTR(t_0, '(^|[^[:alnum:]_])((password|mfa|locked|access request)([^[:alnum:]_]|$)|permission)') > 0)) AS k_2,
    ((REGEXP_INSTR(t_0, '(^|[^[:alnum:]_])((laptop|monitor|keyboard|battery)([^[:alnum:]_]|$)|dock)') > 0)) AS k_3,
    COALESCE(CASE WHEN f_id IS NULL THEN 'id: empty' END, CASE WHEN f_confidence IS NULL THEN NULL WHEN NOT b_f_confidence THEN 'confidence: `' || f_confidence || '` is not a number' WHEN b_f_confidence AND NOT (TRY_CAST(f_confidence AS DOUBLE) >= CAST('0' AS DOUBLE) AND TRY_CAST(f_confidence AS DOUBLE) <= CAST('1' AS DOUBLE)) THEN 'confidence: ' || f_confidence || ' is outside 0..1' END, CASE WHEN f_sentiment IS NULL THEN NULL WHEN NOT b_f_sentiment THEN 'sentiment: `' || f_sentiment || '` is not a number' WHEN b_f_sentiment AND NOT (TRY_CAST(f_sentiment AS DOUBLE) >= CAST('-1' AS DOUBLE) AND TRY_CAST(f_sentiment AS DOUBLE) <= CAST('1' AS DOUBLE)) THEN 'sentiment: ' || f_sentiment || ' is outside -1..1' END, CASE WHEN f_priority IS NOT NULL AND NOT CASE LOWER(f_priority) WHEN 'high' THEN 'p2' WHEN 'low' THEN 'p4' WHEN 'normal' THEN 'p3' WHEN 'urgent' THEN 'p1' ELSE LOWER(f_priority) END IN ('p1', 'p2', 'p3', 'p4') THEN 'priority: `' || CASE LOWER(f_priority) WHEN 'high' THEN 'p2' WHEN 'low' THEN 'p4' WHEN 'normal' THEN 'p3' WHEN 'urgent' THEN 'p1' ELSE LOWER(f_priority) END || '` is not one of the policy''s priorities (p1, p2, p3, p4); map it under [aliases.priority]' END, CASE WHEN f_requested_human IS NOT NULL AND NOT LOWER(f_requested_human) IN ('true', 'yes', 'y', '1', 't') AND NOT LOWER(f_requested_human) IN ('false', 'no', 'n', '0', 'f') THEN 'requested_human: `' || f_requested_human || '` is not true/false, yes/no or 1/0' END, CASE WHEN x_reopen_count IS NULL THEN NULL WHEN NOT b_x_reopen_count THEN 'reopen_count: `' || x_reopen_count || '` is not a number' END) AS rejected,
    COALESCE(CASE WHEN g_escalated_at IS NULL THEN NULL WHEN (REGEXP_INSTR(g_escalated_at, '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z?$') > 0) THEN DATEDIFF(day, DATE '1970-01-01', TRY_TO_DATE(SUBSTR(g_escalated_at, 1, 10))) * 86400 + CAST(SUBSTR(g_escalated_at, 12, 2) AS BIGINT) * 3600 + CAST(SUBSTR(g_escalated_at, 15, 2) AS BIGINT) * 60 + CAST(SUBSTR(g_escalated_at, 18, 2) AS BIGINT) WHEN (REGEXP_INSTR(g_escalated_at, '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9][+-]([01][0-9]|2[0-3]):[0-5][0-9]$') > 0) THEN DATEDIFF(day, DATE '1970-01-01', TRY_TO_DATE(SUBSTR(g_escalated_at, 1, 10))) * 86400 + CAST(SUBSTR(g_escalated_at, 12, 2) AS BIGINT) * 3600 + CAST(SUBSTR(g_escalated_at, 15, 2) AS BIGINT) * 60 + CAST(SUBSTR(g_escalated_at, 18, 2) AS BIGINT) - (CASE WHEN SUBSTR(g_escalated_at, 20, 1) = '-' THEN -1 ELSE 1 END) * (CAST(SUBSTR(g_escalated_at, 21, 2) AS BIGINT) * 3600 + CAST(SUBSTR(g_escalated_at, 24, 2) AS BIGINT) * 60) WHEN (REGEXP_INSTR(g_escalated_at, '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9][+-]([01][0-9]|2[0-5]):[0-5][0-9]:[0-5][0-9]$') > 0) THEN DATEDIFF(day, DATE '1970-01-01', TRY_TO_DATE(SUBSTR(g_escalated_at, 1, 10))) * 86400 + CAST(SUBSTR(g_escalated_at, 12, 2) AS BIGINT) * 3600 + CAST(SUBSTR(g_escalated_at, 15, 2) AS BIGINT) * 60 + CAST(SUBSTR(g_escalated_at, 18, 2) AS BIGINT) - (CASE WHEN SUBSTR(g_escalated_at, 20, 1) = '-' THEN -1 ELSE 1 END) * (CAST(SUBSTR(g_escalated_at, 21, 2) AS BIGINT) * 3600 + CAST(SUBSTR(g_escalated_at, 24, 2) AS BIGINT) * 60 + CAST(SUBSTR(g_escalated_at, 27, 2) AS BIGINT)) WHEN (REGEXP_INSTR(g_escalated_at, '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[T ]([01][0-9]|2[0-3]):[0-5][0-9]$') > 0) THEN DATEDIFF(day, DATE '1970-01-01', TRY_TO_DATE(SUBSTR(g_escalated_at, 1, 10))) * 86400 + CAST(SUBSTR(g_escalated_at, 12, 2) AS BIGINT) * 3600 + CAST(SUBSTR(g_escalated_at, 15, 2) AS BIGINT) * 60 END, CASE WHEN g_created_at IS NULL THEN NULL WHEN (REGEXP_INSTR(g_created_at, '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z?$') > 0) THEN DATEDIFF(day, DATE '1970-01-01', TRY_TO_DATE(SUBSTR(g_created_at, 1, 10))) * 86400 + CAST(SUBSTR(g_created_at, 12, 2) AS BIGINT) * 3600 + CAST(SUBSTR(g_created_at, 15, 2) AS BIGINT) * 60 + CAST(SUBSTR(g_created_at, 18, 2) AS BIGINT) WHEN (REGEXP_INSTR(g_created_at, '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9][+-]([01][0-9]|2[0-3]):[0-5][0-9]$') > 0) THEN DATEDIFF(day, DATE '1970-01-01', TRY_TO_DATE(SUBSTR(g_created_at, 1, 10))) * 86400 + CAST(SUBSTR(g_created_at, 12, 2) AS BIGINT) * 3600 + CAST(SUBSTR(g_created_at, 15, 2) AS BIGINT) * 60 + CAST(SUBSTR(g_created_at, 18, 2) AS BIGINT) - (CASE WHEN SUBSTR(g_created_at, 20, 1) = '-' THEN -1 ELSE 1 END) * (CAST(SUBSTR(g_created_at, 21, 2) AS BIGINT) * 3600 + CAST(SUBSTR(g_created_at, 24, 2) AS BIGINT) * 60) WHEN (REGEXP_INSTR(g_created_at, '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9][+-]([01][0-9]|2[0-5]):[0-5][0-9]:[0-5][0-9]$') > 0) THEN DATEDIFF(day, DATE '1970-01-01', TRY_TO_DATE(SUBSTR(g_created_at, 1, 10))) * 86400 + CAST(SUBSTR(g_created_at, 12, 2) AS BIGINT) * 3600 + CAST(SUBSTR(g_created_at, 15, 2) AS BIGINT) * 60 + CAST(SUBSTR(g_created_at, 18, 2) AS BIGINT) - (CASE WHEN SUBSTR(g_created_at, 20, 1) = '-' THEN -1 ELSE 1 END) * (CAST(SUBSTR(g_created_at, 21, 2) AS BIGINT) * 3600 + CAST(SUBSTR(g_created_at, 24, 2) AS BIGINT) * 60 + CAST(SUBSTR(g_created_at, 27, 2) AS BIGINT)) WHEN (REGEXP_INSTR(g_created_at, '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[T ]([01][0-9]|2[0-3]):[0-5][0-9]$') > 0) THEN DATEDIFF(day, DATE '1970-01-01', TRY_TO_DATE(SUBSTR(g_created_at, 1, 10))) * 86400 + CAST(SUBSTR(g_created_at, 12, 2) AS BIGINT) * 3600 + CAST(SUBSTR(g_created_at, 15, 2) AS BIGINT) * 60 END) AS clock_start
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
    ((CASE WHEN has_text THEN (k_1) END) AND (CASE WHEN l_category IS NOT NULL THEN ((l_category IN ('incident'))) END) AND (CASE WHEN l_priority IS NOT NULL THEN ((l_priority IN ('p1', 'p2'))) END)) AS r_2,
    ((CASE WHEN l_category IS NOT NULL THEN ((l_category IN ('access', 'account'))) END) AND (CASE WHEN has_text THEN (k_2) END) AND (CASE WHEN c_confidence IS NOT NULL THEN (c_confidence < CAST('0.9' AS DOUBLE)) END)) AS r_3,
    ((CASE WHEN l_category IS NOT NULL THEN ((l_category IN ('hardware'))) END) AND (CASE WHEN has_text THEN (k_3) END)) AS r_4,
    (CASE WHEN c_confidence IS NOT NULL THEN (c_confidence < CAST('0.7' AS DOUBLE)) END) AS r_5,
    ((CASE WHEN c_sentiment IS NOT NULL THEN (c_sentiment < CAST('-0.6' AS DOUBLE)) END) OR (CASE WHEN c_reopen_count IS NOT NULL THEN (c_reopen_count >= CAST('2' AS DOUBLE)) END)) AS r_6
  FROM v
),
s AS (
  SELECT r.*, CASE WHEN r_1 THEN 1 WHEN r_2 THEN 2 WHEN r_3 THEN 3 WHEN r_4 THEN 4 WHEN r_5 THEN 5 WHEN r_6 THEN 6 ELSE 7 END AS stop
  FROM r
),
t AS (
  SELECT id, rejected, clock_start, CASE WHEN stop = 1 THEN 1 WHEN stop = 2 THEN 2 WHEN stop = 3 THEN 3 WHEN stop = 4 THEN 4 WHEN (r_0 AND stop >= 0) THEN 0 WHEN stop = 5 THEN 5 WHEN stop = 6 THEN 6 ELSE -1 END AS decider, COALESCE(CASE WHEN stop = 1 THEN 0 END, CASE l_priority WHEN 'p1' THEN 0 WHEN 'p2' THEN 1 WHEN 'p3' THEN 2 WHEN 'p4' THEN 3 END, 2) AS priority_index
  FROM s
),
u AS (
  SELECT t.*, CASE decider WHEN 0 THEN 1 WHEN 1 THEN 3 WHEN 2 THEN 3 WHEN 3 THEN 2 WHEN 4 THEN 2 WHEN 5 THEN 1 WHEN 6 THEN 1 ELSE 0 END AS decided_rank
  FROM t
),
due_cal AS (
  SELECT CAST(c."day_start" AS BIGINT) AS cal_day, CAST(c."work_start" AS BIGINT) AS cal_start, CAST(c."work_end" AS BIGINT) AS cal_end, CAST(c."work_before" AS BIGINT) AS cal_before, CAST(c."working_day" AS BIGINT) AS cal_wd, CAST(c."day_offset" AS BIGINT) AS cal_off
  FROM "handoff_calendar" c
),
due_seg AS (
  SELECT cal_day, cal_start, cal_end, cal_before,
    CASE WHEN LAG(cal_start) OVER (PARTITION BY cal_day ORDER BY cal_start) IS NULL THEN cal_day ELSE cal_start END AS cal_lo,
    COALESCE(LEAD(cal_start) OVER (PARTITION BY cal_day ORDER BY cal_start), cal_day + 86400) AS cal_hi
  FROM due_cal
),
due_cnt AS (
  SELECT CAST(FLOOR((cal_before + 1) / 86400.0) AS BIGINT) AS cal_bucket, cal_start, cal_end, cal_before FROM due_cal WHERE cal_end > cal_start
  UNION ALL
  SELECT CAST(FLOOR((cal_before + (cal_end - cal_start)) / 86400.0) AS BIGINT) AS cal_bucket, cal_start, cal_end, cal_before FROM due_cal WHERE cal_end > cal_start AND CAST(FLOOR((cal_before + (cal_end - cal_start)) / 86400.0) AS BIGINT) <> CAST(FLOOR((cal_before + 1) / 86400.0) AS BIGINT)
),
due_pos AS (
  SELECT CAST(FLOOR((cal_before) / 86400.0) AS BIGINT) AS cal_bucket, cal_start, cal_end, cal_before, cal_wd, cal_off FROM due_cal WHERE cal_wd > 0 AND cal_end > cal_start
  UNION ALL
  SELECT CAST(FLOOR((cal_before + (cal_end - cal_start) - 1) / 86400.0) AS BIGINT) AS cal_bucket, cal_start, cal_end, cal_before, cal_wd, cal_off FROM due_cal WHERE cal_wd > 0 AND cal_end > cal_start AND CAST(FLOOR((cal_before + (cal_end - cal_start) - 1) / 86400.0) AS BIGINT) <> CAST(FLOOR((cal_before) / 86400.0) AS BIGINT)
),
due_days AS (
  SELECT cal_wd, cal_off, cal_start, cal_end,
    CASE WHEN cal_end = MAX(cal_end) OVER (PARTITION BY cal_wd) THEN 1000000 ELSE cal_off + (cal_end - cal_start) END AS cal_off_end
  FROM due_cal
  WHERE cal_wd > 0 AND cal_end > cal_start
),
w AS (
  SELECT u.*, CAST(FLOOR((clock_start) / 86400.0) AS BIGINT) * 86400 AS clock_day, CASE WHEN rejected IS NULL THEN CASE decided_rank * 1000 + priority_index WHEN 1000 THEN 900 WHEN 1001 THEN 3600 WHEN 1002 THEN 28800 WHEN 2000 THEN 1800 WHEN 2001 THEN 7200 WHEN 3000 THEN 900 WHEN 3001 THEN 3600 END END AS due_s_0, CASE WHEN rejected IS NULL THEN CASE decided_rank * 1000 + priority_index WHEN 1003 THEN 2 WHEN 2002 THEN 1 WHEN 2003 THEN 2 WHEN 3002 THEN 1 WHEN 3003 THEN 2 END END AS due_d_0, CASE WHEN rejected IS NULL THEN CASE decided_rank * 1000 + priority_index WHEN 1000 THEN 14400 WHEN 1001 THEN 28800 WHEN 2000 THEN 14400 WHEN 3000 THEN 14400 END END AS due_s_1, CASE WHEN rejected IS NULL THEN CASE decided_rank * 1000 + priority_index WHEN 1002 THEN 3 WHEN 1003 THEN 10 WHEN 2001 THEN 1 WHEN 2002 THEN 5 WHEN 2003 THEN 10 WHEN 3001 THEN 1 WHEN 3002 THEN 5 WHEN 3003 THEN 10 END END AS due_d_1
  FROM u
),
x AS (
  SELECT w.*, seg.cal_before + CASE WHEN w.clock_start <= seg.cal_start THEN 0 WHEN w.clock_start >= seg.cal_end THEN seg.cal_end - seg.cal_start ELSE w.clock_start - seg.cal_start END AS clock_count
  FROM w LEFT JOIN due_seg seg ON seg.cal_day = w.clock_day AND seg.cal_lo <= w.clock_start AND w.clock_start < seg.cal_hi
),
y AS (
  SELECT x.*, CAST(FLOOR((clock_count) / 86400.0) AS BIGINT) AS clock_bucket, clock_count + due_s_0 AS cnt_0, CAST(FLOOR((clock_count + due_s_0) / 86400.0) AS BIGINT) AS bkt_0, clock_count + due_s_1 AS cnt_1, CAST(FLOOR((clock_count + due_s_1) / 86400.0) AS BIGINT) AS bkt_1
  FROM x
),
z AS (
  SELECT y.*, pos.cal_off + (y.clock_count - pos.cal_before) AS clock_off, pos.cal_wd + y.due_d_0 AS wd_0, pos.cal_wd + y.due_d_1 AS wd_1
  FROM y LEFT JOIN due_pos pos ON pos.cal_bucket = y.clock_bucket AND pos.cal_before <= y.clock_count AND y.clock_count < pos.cal_before + (pos.cal_end - pos.cal_start)
)
SELECT
    id,
    CASE WHEN rejected IS NULL THEN CASE decider WHEN 0 THEN 'L1' WHEN 1 THEN 'L3' WHEN 2 THEN 'L3' WHEN 3 THEN 'L2' WHEN 4 THEN 'L2' WHEN 5 THEN 'L1' WHEN 6 THEN 'L1' ELSE 'ai' END END AS decision,
    CASE WHEN rejected IS NULL THEN CASE decider WHEN 0 THEN 'wants-a-person' WHEN 1 THEN 'security-incident' WHEN 2 THEN 'major-outage' WHEN 3 THEN 'access-request' WHEN 4 THEN 'hardware-fault' WHEN 5 THEN 'unsure' WHEN 6 THEN 'frustrated' ELSE '(default)' END END AS rule,
    CASE WHEN rejected IS NULL THEN CASE decider WHEN 0 THEN 'reactive' WHEN 1 THEN 'proactive' WHEN 2 THEN 'proactive' WHEN 3 THEN 'proactive' WHEN 4 THEN 'proactive' WHEN 5 THEN 'proactive' WHEN 6 THEN 'proactive' ELSE 'default' END END AS reason_kind,
    CASE WHEN rejected IS NULL THEN CASE priority_index WHEN 0 THEN 'p1' WHEN 1 THEN 'p2' WHEN 2 THEN 'p3' WHEN 3 THEN 'p4' END END AS priority,
    CASE WHEN rejected IS NULL THEN TO_CHAR(TO_TIMESTAMP_NTZ(CAST((CASE WHEN z.due_s_0 IS NOT NULL THEN s_0.cal_start + (z.cnt_0 - s_0.cal_before) WHEN z.due_d_0 IS NOT NULL THEN d_0.cal_start + CASE WHEN z.clock_off - d_0.cal_off < d_0.cal_end - d_0.cal_start THEN z.clock_off - d_0.cal_off ELSE d_0.cal_end - d_0.cal_start END END) AS BIGINT)), 'YYYY-MM-DD"T"HH24:MI:SS"Z"') END AS first_response_due,
    CASE WHEN rejected IS NULL THEN TO_CHAR(TO_TIMESTAMP_NTZ(CAST((CASE WHEN z.due_s_1 IS NOT NULL THEN s_1.cal_start + (z.cnt_1 - s_1.cal_before) WHEN z.due_d_1 IS NOT NULL THEN d_1.cal_start + CASE WHEN z.clock_off - d_1.cal_off < d_1.cal_end - d_1.cal_start THEN z.clock_off - d_1.cal_off ELSE d_1.cal_end - d_1.cal_start END END) AS BIGINT)), 'YYYY-MM-DD"T"HH24:MI:SS"Z"') END AS resolution_due,
    rejected
FROM z
LEFT JOIN due_cnt s_0 ON s_0.cal_bucket = z.bkt_0 AND s_0.cal_before < z.cnt_0 AND z.cnt_0 <= s_0.cal_before + (s_0.cal_end - s_0.cal_start)
LEFT JOIN due_days d_0 ON d_0.cal_wd = z.wd_0 AND d_0.cal_off <= z.clock_off AND z.clock_off < d_0.cal_off_end
LEFT JOIN due_cnt s_1 ON s_1.cal_bucket = z.bkt_1 AND s_1.cal_before < z.cnt_1 AND z.cnt_1 <= s_1.cal_before + (s_1.cal_end - s_1.cal_start)
LEFT JOIN due_days d_1 ON d_1.cal_wd = z.wd_1 AND d_1.cal_off <= z.clock_off AND z.clock_off < d_1.cal_off_end
