-- Demo data only. The demo leads were walked through the phases a moment ago; a running
-- team's history spreads over weeks. Each demo lead's phase changes move back in time, the
-- stays lasting 1 to 5 days and differing from lead to lead, each lead's last change within
-- the last two weeks (the team's week is a busy one), so that the reports show real durations
-- and cohorts; the leads' creation, inquiry and last-stage-update dates follow. Runs once:
-- demo files are read again on upgrades, the marker below keeps this from repeating.
WITH demo_leads AS (
    SELECT DISTINCT res_id AS lead_id
      FROM ir_model_data
     WHERE model = 'crm.lead' AND module IN ('crm', 'crm_deal_phases')
       AND NOT EXISTS (SELECT 1 FROM ir_config_parameter WHERE key = 'crm_deal_phases.demo_history_spread')
), stays AS (
    SELECT log.id, log.lead_id,
           1 + (log.lead_id * 7 + (row_number() OVER later)::int * 3) % 5 AS days
      FROM crm_deal_phase_log log
      JOIN demo_leads USING (lead_id)
    WINDOW later AS (PARTITION BY log.lead_id ORDER BY log.id DESC)
), shifts AS (
    SELECT id, lead_id,
           (lead_id * 5) % 14 + COALESCE(SUM(days) OVER (PARTITION BY lead_id ORDER BY id DESC
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

-- The demo leads' calls follow their inquiries as a setter's week does: the first call minutes
-- to a few hours after the inquiry, each later one a day or two after the one before, none
-- in the future; the leads' last call follows.
WITH demo_calls AS (
    SELECT call.id, call.lead_id, lead.deal_inquiry_date,
           row_number() OVER (PARTITION BY call.lead_id ORDER BY call.start, call.id) AS rank
      FROM crm_deal_call call
      JOIN crm_lead lead ON lead.id = call.lead_id
     WHERE lead.id IN (SELECT res_id FROM ir_model_data WHERE model = 'crm.lead' AND module = 'crm_deal_phases')
       AND NOT EXISTS (SELECT 1 FROM ir_config_parameter WHERE key = 'crm_deal_phases.demo_history_spread')
), placed AS (
    SELECT id, LEAST(deal_inquiry_date + make_interval(mins => 4 + (lead_id * 37) % 170)
                     + make_interval(days => ((rank - 1) * (1 + lead_id % 2))::int),
                     (now() AT TIME ZONE 'UTC') - make_interval(mins => 30 + (id * 13) % 600)) AS start
      FROM demo_calls
)
UPDATE crm_deal_call call
   SET start = placed.start, stop = placed.start + make_interval(mins => 2 + call.id % 7),
       duration = 2 + call.id % 7
  FROM placed
 WHERE placed.id = call.id;

UPDATE crm_lead lead
   SET last_call_date = calls.last
  FROM (SELECT lead_id, MAX(start) AS last FROM crm_deal_call GROUP BY lead_id) calls
 WHERE calls.lead_id = lead.id
   AND lead.id IN (SELECT res_id FROM ir_model_data WHERE model = 'crm.lead' AND module = 'crm_deal_phases')
   AND NOT EXISTS (SELECT 1 FROM ir_config_parameter WHERE key = 'crm_deal_phases.demo_history_spread');

-- The demo consultations were booked when their lead moved into the consultation (the
-- Consultations report counts the days from Qualified to the booking); of a running team's
-- consultations some were booked by the person on their booking link, some confirmed.
UPDATE calendar_event event
   SET create_date = booked.date,
       deal_booked_by_lead = (event.id % 3 = 0),
       deal_confirmed = (event.id % 2 = 0 OR event.id % 3 = 0)
  FROM (SELECT event.id, MAX(log.date) AS date
          FROM calendar_event event
          JOIN crm_deal_phase_log log ON log.lead_id = event.opportunity_id
                                     AND log.to_phase = CASE event.deal_meeting_field
                                                        WHEN 'first_meeting_date' THEN 'first_meeting'
                                                        ELSE 'second_meeting' END
         WHERE event.deal_meeting_field IN ('first_meeting_date', 'second_meeting_date')
           AND event.opportunity_id IN (SELECT res_id FROM ir_model_data
                                         WHERE model = 'crm.lead' AND module = 'crm_deal_phases')
         GROUP BY event.id) booked
 WHERE booked.id = event.id
   AND NOT EXISTS (SELECT 1 FROM ir_config_parameter WHERE key = 'crm_deal_phases.demo_history_spread');

INSERT INTO ir_config_parameter (key, value, create_uid, create_date, write_uid, write_date)
SELECT 'crm_deal_phases.demo_history_spread', '1', 1, now() at time zone 'UTC', 1, now() at time zone 'UTC'
 WHERE NOT EXISTS (SELECT 1 FROM ir_config_parameter WHERE key = 'crm_deal_phases.demo_history_spread');
