-- Demo data only. The demo leads were walked through the phases a moment ago; a running
-- team's history spreads over weeks. Each demo lead's phase changes move back in time, the
-- stays lasting 1 to 9 days and differing from lead to lead, so that the reports show real
-- durations and cohorts; the leads' creation, inquiry and last-stage-update dates follow. Runs once:
-- demo files are read again on upgrades, the marker below keeps this from repeating.
WITH demo_leads AS (
    SELECT DISTINCT res_id AS lead_id
      FROM ir_model_data
     WHERE model = 'crm.lead' AND module IN ('crm', 'crm_deal_phases')
       AND NOT EXISTS (SELECT 1 FROM ir_config_parameter WHERE key = 'crm_deal_phases.demo_history_spread')
), stays AS (
    SELECT log.id, log.lead_id,
           1 + 3 * ((log.lead_id * 7 + (row_number() OVER later)::int * 3) % 9) AS days
      FROM crm_deal_phase_log log
      JOIN demo_leads USING (lead_id)
    WINDOW later AS (PARTITION BY log.lead_id ORDER BY log.id DESC)
), shifts AS (
    SELECT id, lead_id,
           3 * (lead_id % 17) + COALESCE(SUM(days) OVER (PARTITION BY lead_id ORDER BY id DESC
                                                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS days_back
      FROM stays
)
UPDATE crm_deal_phase_log log
   SET date = log.date - make_interval(days => shifts.days_back::int)
  FROM shifts
 WHERE shifts.id = log.id;

UPDATE crm_lead lead
   SET create_date = history.first_date,
       deal_inquiry_date = history.first_date,
       date_last_stage_update = history.last_date
  FROM (SELECT lead_id, MIN(date) AS first_date, MAX(date) AS last_date
          FROM crm_deal_phase_log GROUP BY lead_id) history
 WHERE history.lead_id = lead.id
   AND lead.id IN (SELECT res_id FROM ir_model_data WHERE model = 'crm.lead' AND module IN ('crm', 'crm_deal_phases'))
   AND NOT EXISTS (SELECT 1 FROM ir_config_parameter WHERE key = 'crm_deal_phases.demo_history_spread');

INSERT INTO ir_config_parameter (key, value, create_uid, create_date, write_uid, write_date)
SELECT 'crm_deal_phases.demo_history_spread', '1', 1, now() at time zone 'UTC', 1, now() at time zone 'UTC'
 WHERE NOT EXISTS (SELECT 1 FROM ir_config_parameter WHERE key = 'crm_deal_phases.demo_history_spread');
