import { sql } from "drizzle-orm";
import { type Db, selectRows } from "../src/core/db/client.js";

/**
 * A synthetic institution for benchmarks, written with set-based SQL (generate_series), so that
 * a million rows take seconds. `scale` 1 is the size the digest benchmark aims at: 2,000 users,
 * 10,000 partners, 100,000 events, 1,000,000 feedback answers; 0.1 is a tenth of each.
 * Events spread over three years around `now`; past ones are mostly held, with feedback.
 */
export interface InstitutionSize {
  users: number;
  partners: number;
  events: number;
  feedback: number;
}

export function institutionSize(scale: number): InstitutionSize {
  return {
    users: Math.round(2_000 * scale),
    partners: Math.round(10_000 * scale),
    events: Math.round(100_000 * scale),
    feedback: Math.round(1_000_000 * scale),
  };
}

export async function seedInstitution(db: Db, size: InstitutionSize, now: Date): Promise<void> {
  const admins = Math.max(2, Math.round(size.users * 0.01));
  const partnerUsers = Math.round(size.users * 0.24);
  const staff = size.users - admins - partnerUsers;
  const units = Math.max(4, Math.round(size.users / 50));
  const nowIso = now.toISOString();
  const run = (query: ReturnType<typeof sql>) => db.execute(query);

  await run(sql`insert into units (kind, name) select 'department', 'Отдел ' || i from generate_series(1, ${units}) i`);
  // Users: admins, then staff spread over units, then partner contacts. Telegram ids from 10^9.
  await run(sql`
    insert into users (telegram_id, first_name, last_name, role, unit_id, language)
    select 1000000000 + i, 'Имя' || i, 'Фамилия' || i,
      (case when i <= ${admins} then 'admin' when i <= ${admins + staff} then 'staff' else 'partner' end)::user_role,
      case when i > ${admins} and i <= ${admins + staff} then 1 + (i % ${units}) end,
      case when i % 5 = 0 then 'en' else 'ru' end
    from generate_series(1, ${size.users}) i`);
  // Unit heads: the first staff member of each unit.
  await run(sql`update units u set head_user_id = (select min(id) from users where unit_id = u.id)`);
  await run(sql`
    insert into partners (full_name, short_name, search_key, type, owner_kind, owner_unit_id, owner_user_id, stage, created_by, created_at, updated_at)
    select 'Организация-партнёр № ' || i, 'Партнёр ' || i, 'партнер ' || i,
      (array['school','university','college','science_centre','government_body','public_organisation','business','culture_organisation','other'])[1 + i % 9]::partner_type,
      'department', 1 + (i % ${units}), ${admins} + 1 + (i % ${staff}),
      (array['preparatory','organisational','system_forming','system_forming','archived'])[1 + i % 5]::partnership_stage,
      1, ${nowIso}::timestamptz - (i % 1000) * interval '1 day', ${nowIso}::timestamptz - (i % 200) * interval '1 day'
    from generate_series(1, ${size.partners}) i`);
  await run(sql`
    insert into partner_stage_changes (partner_id, from_stage, to_stage, comment, changed_by, changed_at)
    select id, null, stage, 'seed', 1, updated_at from partners`);
  // One contact per partner; the partner users are linked to the first partners.
  await run(sql`
    insert into partner_contacts (partner_id, full_name, user_id, consent_basis, consent_recorded_by)
    select p.id, 'Контакт ' || p.id,
      case when p.id <= ${partnerUsers} then ${admins + staff} + p.id end, 'paper', 1
    from partners p`);
  await run(sql`
    insert into agreements (partner_id, number, signed_on, valid_from, valid_to, subject, created_by)
    select i * 2, 'Д-' || i, (${nowIso}::date - 400), (${nowIso}::date - 400), (${nowIso}::date + (i % 400) - 30), 'Сотрудничество', 1
    from generate_series(1, ${Math.floor(size.partners / 2)}) i`);
  await run(sql`
    insert into plan_items (agreement_id, title, format, planned_on, responsible_user_id)
    select a.id, 'Пункт плана ' || a.id || '-' || k, 'master_class', ${nowIso}::date + ((a.id * 7 + k * 13) % 240) - 120, ${admins} + 1 + (a.id % ${staff})
    from agreements a, generate_series(1, 2) k`);
  // Events: three years around now, one or two partners each.
  await run(sql`
    insert into events (title, format, starts_at, ends_at, responsible_user_id, proposed_by, owner_unit_id, status,
      participants_gifted, participants_disabilities, participants_career_guidance, participants_other, created_at, updated_at)
    select 'Мероприятие ' || i,
      (array['project','joint_event','meeting_interesting_people','consultation','round_table','master_class','excursion','contest','exhibition','other'])[1 + i % 10]::event_format,
      s, s + interval '2 hours', ${admins} + 1 + (i % ${staff}), ${admins} + 1 + ((i * 7) % ${staff}), 1 + (i % ${units}),
      (case when s < ${nowIso}::timestamptz then (array['held','held','held','cancelled','approved'])[1 + i % 5]
            else (array['approved','approved','proposed','changes_requested'])[1 + i % 4] end)::event_status,
      i % 7, i % 3, i % 5, 5 + i % 20, s - interval '20 days', s - interval '10 days'
    from (select i, ${nowIso}::timestamptz + ((i * 7919) % (3 * 365 * 24)) * interval '1 hour' - interval '2 years' as s
          from generate_series(1, ${size.events}) i) e`);
  await run(sql`insert into event_partners (event_id, partner_id) select id, 1 + (id * 31) % ${size.partners} from events`);
  await run(sql`
    insert into event_partners (event_id, partner_id) select id, 1 + (id * 17 + 5) % ${size.partners} from events
    where id % 2 = 0 and (id * 17 + 5) % ${size.partners} <> (id * 31) % ${size.partners}`);
  await run(sql`
    insert into feedback_rounds (event_id, token, opened_at, link_closes_at, prompts_close_at, summary_sent_at)
    select id, md5('round' || id), ends_at, ends_at + interval '7 days', ends_at + interval '14 days',
      case when ends_at + interval '14 days' < ${nowIso}::timestamptz then ends_at + interval '14 days' end
    from events where status = 'held'`);
  // Partner prompts: one per event partner whose contact is linked; answered two times in three.
  await run(sql`
    insert into feedback_prompts (event_id, partner_id, contact_id, user_id, created_at, rating, answered_at)
    select r.event_id, ep.partner_id, c.id, c.user_id, r.opened_at,
      case when r.event_id % 3 <> 0 then 1 + (r.event_id + c.id) % 5 end,
      case when r.event_id % 3 <> 0 then r.opened_at + interval '1 day' end
    from feedback_rounds r
    join event_partners ep on ep.event_id = r.event_id
    join partner_contacts c on c.partner_id = ep.partner_id and c.user_id is not null`);
  // Participant answers make up the rest of the feedback volume, spread over the held events.
  const rounds = await selectRows<{ n: number }>(db, sql`select count(*)::int as n from feedback_rounds`);
  const roundCount = Math.max(1, Number(rounds[0]?.n ?? 1));
  const answered = await selectRows<{ n: number }>(db, sql`select count(*)::int as n from feedback_prompts where rating is not null`);
  const participantAnswers = Math.max(0, size.feedback - Number(answered[0]?.n ?? 0));
  await run(sql`
    insert into participant_feedback (event_id, voter_hash, rating, role, created_at)
    select r.event_id, md5(i::text), 1 + (i * 7) % 5,
      (array['student','parent','teacher','other'])[1 + i % 4]::participant_role, r.opened_at + interval '1 hour'
    from generate_series(1, ${participantAnswers}) i
    join (select event_id, opened_at, (row_number() over (order by event_id) - 1)::int as k from feedback_rounds) r on r.k = i % ${roundCount}`);
  await run(sql`analyze`);
}
