import { and, asc, count, desc, eq } from "drizzle-orm";
import type { Db } from "../../core/db/client.js";
import { type Contact, type Interaction, type Partner, agreements, contacts, interactions, planItems } from "./schema.js";
import { units } from "../../core/access/units-schema.js";
import { users } from "../../core/access/schema.js";
import { type StageChecklist, stageChecklist } from "./partners.js";

export interface AgreementLine {
  id: number;
  number: string;
  signedOn: string;
  validTo: string | null;
  planItems: number;
}

/** Everything the partner card shows, in one place. */
export interface PartnerOverview {
  partner: Partner;
  ownerUnitName: string | null;
  ownerUserName: string | null;
  contacts: Pick<Contact, "id" | "fullName" | "position" | "phone" | "email" | "telegramUsername">[];
  agreements: AgreementLine[];
  recentInteractions: Pick<Interaction, "id" | "kind" | "occurredOn" | "text" | "fileId">[];
  checklist: StageChecklist;
}

export async function partnerOverview(db: Db, partner: Partner, today: string): Promise<PartnerOverview> {
  const [unit] = partner.ownerUnitId ? await db.select({ name: units.name }).from(units).where(eq(units.id, partner.ownerUnitId)) : [];
  const [owner] = partner.ownerUserId
    ? await db.select({ firstName: users.firstName, lastName: users.lastName }).from(users).where(eq(users.id, partner.ownerUserId))
    : [];
  const contactRows = await db
    .select({
      id: contacts.id,
      fullName: contacts.fullName,
      position: contacts.position,
      phone: contacts.phone,
      email: contacts.email,
      telegramUsername: contacts.telegramUsername,
    })
    .from(contacts)
    .where(eq(contacts.partnerId, partner.id))
    .orderBy(asc(contacts.fullName), asc(contacts.id));
  const agreementRows = await db
    .select({
      id: agreements.id,
      number: agreements.number,
      signedOn: agreements.signedOn,
      validTo: agreements.validTo,
      planItems: count(planItems.id),
    })
    .from(agreements)
    .leftJoin(planItems, eq(planItems.agreementId, agreements.id))
    .where(eq(agreements.partnerId, partner.id))
    .groupBy(agreements.id)
    .orderBy(desc(agreements.signedOn), desc(agreements.id));
  const recent = await db
    .select({ id: interactions.id, kind: interactions.kind, occurredOn: interactions.occurredOn, text: interactions.text, fileId: interactions.fileId })
    .from(interactions)
    .where(and(eq(interactions.partnerId, partner.id)))
    .orderBy(desc(interactions.occurredOn), desc(interactions.id))
    .limit(3);
  return {
    partner,
    ownerUnitName: unit?.name ?? null,
    ownerUserName: owner ? [owner.firstName, owner.lastName].filter(Boolean).join(" ") : null,
    contacts: contactRows,
    agreements: agreementRows,
    recentInteractions: recent,
    checklist: await stageChecklist(db, partner, today),
  };
}
