/**
 * `npm run seed:demo` (src/playground/demo/seed-cli.ts) and the playground: a realistic year of
 * the Palace's social-partnership work in the database, so /partners, /events, /digest and
 * /report show something at once.
 *
 * Every organisation, person, agreement number and INN below is invented; the streets are real
 * streets of Irkutsk. The data is the same on every run: a fixed pseudo-random generator with a
 * constant seed, and every date counted from `options.now` in the institution's time zone.
 */
import { and, asc, between, eq } from "drizzle-orm";
import type { Db } from "../../core/db/client.js";
import { localDate } from "../../core/dates.js";
import { recordAudit } from "../../core/audit.js";
import { addDays, CONTACT_CHECKS, EVENT_FORMATS, type EventFormat, type Focus, normalisePartnerName, type PartnerType, partnerSearchKey, type Stage } from "../../partners/index.js";
import { type AudienceCategory, type EventStatus, zonedInstant } from "../../events/index.js";
import {
  agreements,
  botState,
  contacts,
  type EventLevel,
  eventConfirmations,
  eventDecisions,
  eventPartners,
  events,
  feedbackPrompts,
  feedbackRounds,
  interactions,
  participantFeedback,
  partners,
  planItems,
  stageChanges,
  units,
  users,
} from "../../schema.js";

// ---------------------------------------------------------------------------------------------
// The material: units, staff, partners and the texts the generator combines

export type UnitCode = "tech" | "robo" | "model3d" | "arts" | "dance" | "palette" | "nature" | "eco" | "local" | "social" | "english" | "leader";

export interface DemoUnitSpec {
  code: UnitCode;
  kind: "department" | "association";
  parent?: UnitCode;
  name: string;
}

export const DEMO_UNITS: readonly DemoUnitSpec[] = [
  { code: "tech", kind: "department", name: "Отдел технического творчества" },
  { code: "robo", kind: "association", parent: "tech", name: "Студия робототехники «Робо-Ангара»" },
  { code: "model3d", kind: "association", parent: "tech", name: "Объединение «3D-моделирование и прототипирование»" },
  { code: "arts", kind: "department", name: "Отдел художественного творчества" },
  { code: "dance", kind: "association", parent: "arts", name: "Хореографический ансамбль «Сибирячок»" },
  { code: "palette", kind: "association", parent: "arts", name: "Изостудия «Палитра»" },
  { code: "nature", kind: "department", name: "Отдел естественнонаучной и туристско-краеведческой направленности" },
  { code: "eco", kind: "association", parent: "nature", name: "Объединение «Юный эколог»" },
  { code: "local", kind: "association", parent: "nature", name: "Клуб «Краевед Приангарья»" },
  { code: "social", kind: "department", name: "Отдел социально-гуманитарного творчества" },
  { code: "english", kind: "association", parent: "social", name: "Разговорный клуб английского языка «Speak Up»" },
  { code: "leader", kind: "association", parent: "social", name: "Школа юного вожатого «Лидер»" },
];

export type StaffCode =
  | "sokolova" | "melnikov" | "kuznetsova" | "belova" | "tarasova" | "lapteva"
  | "gushchin" | "ermakova" | "prokopiev" | "shestakova" | "osipova" | "brooks";

export interface DemoStaffSpec {
  code: StaffCode;
  firstName: string;
  lastName: string;
  language: "ru" | "en";
  unit: UnitCode;
  /** The units this person heads. */
  heads: UnitCode[];
}

/** Telegram ids 200000001… in this order. */
export const DEMO_STAFF: readonly DemoStaffSpec[] = [
  { code: "sokolova", firstName: "Елена", lastName: "Соколова", language: "ru", unit: "tech", heads: ["tech"] },
  { code: "melnikov", firstName: "Игорь", lastName: "Мельников", language: "ru", unit: "robo", heads: ["robo"] },
  { code: "kuznetsova", firstName: "Дарья", lastName: "Кузнецова", language: "ru", unit: "model3d", heads: [] },
  { code: "belova", firstName: "Наталья", lastName: "Белова", language: "ru", unit: "arts", heads: ["arts"] },
  { code: "tarasova", firstName: "Ольга", lastName: "Тарасова", language: "ru", unit: "dance", heads: ["dance"] },
  { code: "lapteva", firstName: "Марина", lastName: "Лаптева", language: "ru", unit: "palette", heads: ["palette"] },
  { code: "gushchin", firstName: "Алексей", lastName: "Гущин", language: "ru", unit: "nature", heads: ["nature"] },
  { code: "ermakova", firstName: "Светлана", lastName: "Ермакова", language: "ru", unit: "eco", heads: ["eco"] },
  { code: "prokopiev", firstName: "Виктор", lastName: "Прокопьев", language: "ru", unit: "local", heads: [] },
  { code: "shestakova", firstName: "Татьяна", lastName: "Шестакова", language: "ru", unit: "social", heads: ["social"] },
  { code: "osipova", firstName: "Юлия", lastName: "Осипова", language: "ru", unit: "social", heads: [] },
  { code: "brooks", firstName: "Daniel", lastName: "Brooks", language: "en", unit: "english", heads: ["english"] },
];

export type Owner = { unit: UnitCode } | { teacher: StaffCode } | "institution";

export interface DemoContactSpec {
  fullName: string;
  position: string;
  /** Linked to the bot: a partner contact who can chat (consent given in the bot). */
  linked?: { firstName: string; lastName: string; language: "ru" | "en" };
  /** Invited to the bot and not answered yet: only name and position are kept. */
  pending?: boolean;
}

export interface DemoPartnerSpec {
  fullName: string;
  shortName: string;
  type: PartnerType;
  stage: Exclude<Stage, "archived">;
  owner: Owner;
  focuses: Focus[];
  address: string;
  /** Organisational partners: whether the agreement is already signed. */
  agreement?: boolean;
  /** Preparatory partners without motivation and tasks written yet. */
  noMotivation?: boolean;
  motivation: string;
  tasks: string;
  /** Who the partner's contacts are; a second, unnamed-by-spec contact may be generated. */
  contacts: DemoContactSpec[];
  /** The sort of audience the partner brings. */
  audience?: "disabilities" | "career" | "gifted";
}

const irk = (street: string) => `г. Иркутск, ${street}`;

export const DEMO_PARTNERS: readonly DemoPartnerSpec[] = [
  // Schools
  {
    fullName: "Муниципальное бюджетное общеобразовательное учреждение города Иркутска средняя общеобразовательная школа № 87",
    shortName: "МБОУ «СОШ № 87» г. Иркутска",
    type: "school", stage: "system_forming", owner: { unit: "tech" }, focuses: ["technical", "natural_science"],
    address: irk("ул. Байкальская, 214"),
    motivation: "Школе нужна площадка для инженерных занятий, которых нет в её расписании; Дворцу — постоянный приток мотивированных ребят в технические объединения.",
    tasks: "Открыть на базе школы группу робототехники, проводить совместные соревнования, готовить команды к городским конкурсам.",
    contacts: [
      { fullName: "Морозова Ирина Анатольевна", position: "Заместитель директора по воспитательной работе", linked: { firstName: "Ирина", lastName: "Морозова", language: "ru" } },
      { fullName: "Карпов Денис Олегович", position: "Учитель технологии" },
    ],
    audience: "gifted",
  },
  {
    fullName: "Муниципальное бюджетное общеобразовательное учреждение города Иркутска средняя общеобразовательная школа № 91",
    shortName: "МБОУ «СОШ № 91» г. Иркутска",
    type: "school", stage: "system_forming", owner: { unit: "dance" }, focuses: ["arts"],
    address: irk("ул. Лермонтова, 126"),
    motivation: "В школе сильная хоровая и танцевальная традиция; совместные концерты дают ансамблю новую сцену, а школе — участие детей в городских фестивалях.",
    tasks: "Проводить два совместных концерта в год, вести подготовительную группу ансамбля «Сибирячок» в школе.",
    contacts: [{ fullName: "Лебедева Ольга Николаевна", position: "Педагог-организатор", linked: { firstName: "Ольга", lastName: "Лебедева", language: "ru" } }],
  },
  {
    fullName: "Муниципальное автономное общеобразовательное учреждение «Лицей № 7 „Перспектива“» города Иркутска",
    shortName: "Лицей № 7 «Перспектива»",
    type: "school", stage: "system_forming", owner: "institution", focuses: ["technical", "social_humanitarian"],
    address: irk("ул. Советская, 58"),
    motivation: "Лицей готовит ребят к инженерным и гуманитарным олимпиадам; Дворец может дать им практику, проектную работу и наставников.",
    tasks: "Совместная проектная смена, научно-практическая конференция, консультации для учителей по проектной деятельности.",
    contacts: [
      { fullName: "Григорьев Андрей Петрович", position: "Директор", linked: { firstName: "Андрей", lastName: "Григорьев", language: "ru" } },
      { fullName: "Соловьёва Анна Сергеевна", position: "Заместитель директора по научно-методической работе" },
    ],
    audience: "gifted",
  },
  {
    fullName: "Муниципальное бюджетное общеобразовательное учреждение города Иркутска «Гимназия № 12 „Ангарская“»",
    shortName: "Гимназия № 12 «Ангарская»",
    type: "school", stage: "organisational", owner: { unit: "english" }, focuses: ["social_humanitarian"], agreement: true,
    address: irk("ул. Карла Маркса, 41"),
    motivation: "Гимназистам не хватает живой разговорной практики английского языка; клубу «Speak Up» — постоянной группы старшеклассников.",
    tasks: "Еженедельные встречи разговорного клуба, совместный конкурс чтецов на английском языке.",
    contacts: [{ fullName: "Захарова Екатерина Игоревна", position: "Руководитель методического объединения учителей иностранных языков" }],
  },
  {
    fullName: "Муниципальное бюджетное общеобразовательное учреждение города Иркутска средняя общеобразовательная школа № 93 с углублённым изучением отдельных предметов",
    shortName: "МБОУ «СОШ № 93» г. Иркутска",
    type: "school", stage: "organisational", owner: { unit: "eco" }, focuses: ["natural_science"],
    address: irk("ул. Ширямова, 17"),
    motivation: "В школе профильные биолого-химические классы; их ученикам нужны полевые исследования, которые ведёт объединение «Юный эколог».",
    tasks: "Подготовить договор и план совместных исследований воды и почв микрорайона на учебный год.",
    contacts: [{ fullName: "Виноградова Людмила Васильевна", position: "Учитель биологии, руководитель профильных классов" }],
  },
  {
    fullName: "Муниципальное бюджетное общеобразовательное учреждение города Иркутска средняя общеобразовательная школа № 96",
    shortName: "МБОУ «СОШ № 96» г. Иркутска",
    type: "school", stage: "preparatory", owner: { unit: "local" }, focuses: ["tourism_local_history"],
    address: irk("ул. Трилиссера, 102"),
    motivation: "Школа создаёт музей истории микрорайона и просит помочь с краеведческими экспедициями.",
    tasks: "Определить, какие экспедиции и экскурсии клуб может вести вместе со школьным музеем.",
    contacts: [{ fullName: "Полякова Галина Фёдоровна", position: "Руководитель школьного музея" }],
  },
  {
    fullName: "Муниципальное бюджетное общеобразовательное учреждение города Иркутска средняя общеобразовательная школа № 98",
    shortName: "МБОУ «СОШ № 98» г. Иркутска",
    type: "school", stage: "system_forming", owner: { teacher: "lapteva" }, focuses: ["arts"],
    address: irk("ул. Партизанская, 73"),
    motivation: "Педагог изостудии много лет ведёт выставки детских работ вместе с учителями изобразительного искусства этой школы.",
    tasks: "Сезонные выставки, совместные пленэры, мастер-классы для учителей.",
    contacts: [{ fullName: "Медведева Вера Александровна", position: "Учитель изобразительного искусства" }],
  },
  {
    fullName: "Муниципальное казённое общеобразовательное учреждение «Специальная (коррекционная) общеобразовательная школа № 103» города Иркутска",
    shortName: "Коррекционная школа № 103",
    type: "school", stage: "system_forming", owner: { unit: "arts" }, focuses: ["arts", "sport"],
    address: irk("ул. Декабрьских Событий, 88"),
    motivation: "Дети с ОВЗ редко попадают в творческие объединения; совместные занятия расширяют для них выбор дополнительного образования.",
    tasks: "Инклюзивные мастер-классы, участие ребят школы в выставках и концертах Дворца, консультации для родителей.",
    contacts: [
      { fullName: "Фролова Надежда Борисовна", position: "Директор", linked: { firstName: "Надежда", lastName: "Фролова", language: "ru" } },
      { fullName: "Титов Павел Андреевич", position: "Социальный педагог" },
    ],
    audience: "disabilities",
  },
  {
    fullName: "Муниципальное бюджетное общеобразовательное учреждение города Иркутска «Основная общеобразовательная школа № 104»",
    shortName: "МБОУ «ООШ № 104» г. Иркутска",
    type: "school", stage: "preparatory", owner: { unit: "social" }, focuses: ["social_humanitarian"], noMotivation: true,
    address: irk("ул. Рабочего Штаба, 31"),
    motivation: "", tasks: "",
    contacts: [{ fullName: "Богданова Оксана Викторовна", position: "Заместитель директора" }],
  },
  // Universities
  {
    fullName: "Федеральное государственное бюджетное образовательное учреждение высшего образования «Восточно-Сибирский инженерно-технологический университет»",
    shortName: "ВСИТУ",
    type: "university", stage: "system_forming", owner: { unit: "robo" }, focuses: ["technical"],
    address: irk("ул. Лермонтова, 281"),
    motivation: "Университету нужны будущие абитуриенты инженерных направлений, студии — лаборатории, оборудование и наставники-студенты.",
    tasks: "Занятия в лабораториях университета, студенческое наставничество, совместный конкурс робототехники.",
    contacts: [
      { fullName: "Королёв Михаил Юрьевич", position: "Руководитель центра довузовской подготовки", linked: { firstName: "Михаил", lastName: "Королёв", language: "ru" } },
    ],
    audience: "career",
  },
  {
    fullName: "Федеральное государственное бюджетное образовательное учреждение высшего образования «Приангарский гуманитарно-педагогический университет»",
    shortName: "ПГПУ",
    type: "university", stage: "system_forming", owner: { unit: "social" }, focuses: ["social_humanitarian", "arts"],
    address: irk("ул. Нижняя Набережная, 6"),
    motivation: "Студенты-педагоги проходят практику во Дворце, а Дворец получает помощников на массовых мероприятиях и будущих сотрудников.",
    tasks: "Педагогическая практика студентов, совместные круглые столы, вожатская школа.",
    contacts: [{ fullName: "Андреева Марина Геннадьевна", position: "Руководитель отдела практик и трудоустройства" }],
    audience: "career",
  },
  {
    fullName: "Федеральное государственное бюджетное образовательное учреждение высшего образования «Сибирский университет природопользования»",
    shortName: "СибУП",
    type: "university", stage: "organisational", owner: { unit: "nature" }, focuses: ["natural_science", "tourism_local_history"], agreement: true,
    address: irk("ул. Тимирязева, 59"),
    motivation: "Университет ищет школьников для экологических программ, отдел — научных руководителей для исследовательских работ ребят.",
    tasks: "Научное руководство исследовательскими работами, экскурсии на учебную станцию университета.",
    contacts: [{ fullName: "Сорокин Виталий Николаевич", position: "Доцент кафедры экологии" }],
    audience: "career",
  },
  {
    fullName: "Автономная некоммерческая организация высшего образования «Иркутский институт искусств и дизайна»",
    shortName: "ИИИД",
    type: "university", stage: "preparatory", owner: { unit: "palette" }, focuses: ["arts"],
    address: irk("ул. Чкалова, 20"),
    motivation: "Выпускники изостудии поступают на дизайн; институт готов проводить для них просмотры работ и консультации.",
    tasks: "Договориться о консультациях по подготовке портфолио и о выставке работ абитуриентов.",
    contacts: [{ fullName: "Белых Евгения Павловна", position: "Руководитель приёмной комиссии" }],
    audience: "career",
  },
  // Colleges
  {
    fullName: "Государственное бюджетное профессиональное образовательное учреждение Иркутской области «Иркутский технологический колледж „Ангара“»",
    shortName: "Технологический колледж «Ангара»",
    type: "college", stage: "system_forming", owner: { teacher: "kuznetsova" }, focuses: ["technical"],
    address: irk("ул. Гоголя, 55"),
    motivation: "Колледжу интересны подростки, увлечённые 3D-моделированием; объединению — мастерские колледжа и профессиональные станки.",
    tasks: "Профпробы в мастерских колледжа, совместные мастер-классы по 3D-печати, выставка технического творчества.",
    contacts: [
      { fullName: "Степанов Роман Игоревич", position: "Мастер производственного обучения", linked: { firstName: "Роман", lastName: "Степанов", language: "ru" } },
    ],
    audience: "career",
  },
  {
    fullName: "Государственное автономное профессиональное образовательное учреждение Иркутской области «Иркутский колледж культуры „Сибирь“»",
    shortName: "Колледж культуры «Сибирь»",
    type: "college", stage: "organisational", owner: { unit: "dance" }, focuses: ["arts"],
    address: irk("ул. Марата, 14"),
    motivation: "Студенты-хореографы колледжа могут вести сводные репетиции, а ансамбль — выступать на сцене колледжа.",
    tasks: "Согласовать договор и график совместных репетиций и концертов.",
    contacts: [
      { fullName: "Гусева Алёна Дмитриевна", position: "Руководитель хореографического отделения" },
      { fullName: "Ильин Константин Сергеевич", position: "Концертмейстер", pending: true },
    ],
  },
  {
    fullName: "Государственное бюджетное профессиональное образовательное учреждение Иркутской области «Иркутский колледж сервиса и туризма „Байкальский“»",
    shortName: "Колледж сервиса и туризма «Байкальский»",
    type: "college", stage: "organisational", owner: { unit: "local" }, focuses: ["tourism_local_history"], agreement: true,
    address: irk("ул. Украинская, 3"),
    motivation: "Будущие экскурсоводы колледжа проходят практику, проводя экскурсии для ребят клуба.",
    tasks: "Студенческие экскурсии по историческому центру Иркутска, совместный краеведческий квест.",
    contacts: [{ fullName: "Куликова Татьяна Олеговна", position: "Заместитель директора по учебно-производственной работе" }],
    audience: "career",
  },
  {
    fullName: "Государственное бюджетное профессиональное образовательное учреждение Иркутской области «Иркутский энергетический колледж „Прометей“»",
    shortName: "Энергетический колледж «Прометей»",
    type: "college", stage: "preparatory", owner: { unit: "tech" }, focuses: ["technical"],
    address: irk("ул. Ярославского, 210"),
    motivation: "Колледж предлагает профориентационные занятия по электротехнике для подростков 14–17 лет.",
    tasks: "Оценить, какие программы колледжа подходят ребятам отдела, и подготовить предложения к договору.",
    contacts: [{ fullName: "Жуков Олег Владимирович", position: "Руководитель центра профориентации" }],
    audience: "career",
  },
  // Science centres
  {
    fullName: "Научно-образовательный центр «Байкальская лаборатория»",
    shortName: "НОЦ «Байкальская лаборатория»",
    type: "science_centre", stage: "system_forming", owner: { unit: "eco" }, focuses: ["natural_science"],
    address: irk("ул. Улан-Баторская, 3"),
    motivation: "Центр ведёт мониторинг воды Байкала и Ангары и готов привлекать школьников к настоящим исследованиям.",
    tasks: "Практикумы в лаборатории центра, научное руководство работами ребят, совместная экологическая конференция.",
    contacts: [
      { fullName: "Антонова Ксения Михайловна", position: "Научный сотрудник, руководитель просветительских программ", linked: { firstName: "Ксения", lastName: "Антонова", language: "ru" } },
    ],
    audience: "gifted",
  },
  {
    fullName: "Астрономическая обсерватория «Ангарская звезда»",
    shortName: "Обсерватория «Ангарская звезда»",
    type: "science_centre", stage: "organisational", owner: { unit: "nature" }, focuses: ["natural_science", "technical"],
    address: irk("ул. Академическая, 17"),
    motivation: "Обсерватория открывает детские программы, отделу нужен партнёр по астрономии для нового объединения.",
    tasks: "Подготовить договор о наблюдательных вечерах и цикле лекций для ребят.",
    contacts: [{ fullName: "Макаров Евгений Анатольевич", position: "Руководитель просветительского отдела" }],
  },
  {
    fullName: "Научный центр геологии Восточной Сибири",
    shortName: "НЦ геологии Восточной Сибири",
    type: "science_centre", stage: "preparatory", owner: { unit: "local" }, focuses: ["natural_science", "tourism_local_history"],
    address: irk("ул. Лермонтова, 128"),
    motivation: "Центр предлагает ребятам клуба геологические экскурсии и работу с коллекцией минералов.",
    tasks: "Определить темы экскурсий и занятий, согласовать их с программой клуба.",
    contacts: [{ fullName: "Давыдов Юрий Ильич", position: "Хранитель минералогической коллекции" }],
  },
  // Government bodies
  {
    fullName: "Отдел молодёжной политики администрации Правобережного округа города Иркутска",
    shortName: "Отдел молодёжной политики Правобережного округа",
    type: "government_body", stage: "system_forming", owner: { unit: "social" }, focuses: ["social_humanitarian"],
    address: irk("ул. Марата, 7"),
    motivation: "Округ проводит молодёжные акции и ищет организаторов с опытом работы с детьми; Дворцу важна поддержка округа.",
    tasks: "Совместные окружные акции, волонтёрские проекты, поддержка школы вожатых.",
    contacts: [{ fullName: "Пономарёва Юлия Константиновна", position: "Начальник отдела" }],
  },
  {
    fullName: "Комиссия по делам несовершеннолетних и защите их прав Октябрьского округа города Иркутска",
    shortName: "КДН Октябрьского округа",
    type: "government_body", stage: "organisational", owner: "institution", focuses: ["social_humanitarian"],
    address: irk("ул. Байкальская, 106"),
    motivation: "Комиссии нужны места дополнительного образования для подростков, которым важна занятость в свободное время.",
    tasks: "Согласовать порядок записи подростков в объединения и совместные профилактические мероприятия.",
    contacts: [{ fullName: "Миронова Светлана Ивановна", position: "Ответственный секретарь комиссии" }],
  },
  {
    fullName: "Управление профориентации и занятости молодёжи Иркутской области",
    shortName: "Управление профориентации молодёжи",
    type: "government_body", stage: "preparatory", owner: { teacher: "osipova" }, focuses: ["social_humanitarian"],
    address: irk("ул. Ленина, 46"),
    motivation: "Управление готово проводить профориентационные тестирования и встречи с работодателями для подростков 15–17 лет.",
    tasks: "Выяснить, какие программы управления можно включить в индивидуальные маршруты самоопределения ребят.",
    contacts: [{ fullName: "Крылов Артём Сергеевич", position: "Главный специалист" }],
    audience: "career",
  },
  {
    fullName: "Управление по охране окружающей среды администрации города Иркутска",
    shortName: "Управление по охране окружающей среды",
    type: "government_body", stage: "organisational", owner: { unit: "eco" }, focuses: ["natural_science"], agreement: true,
    address: irk("ул. Ленина, 14"),
    motivation: "Управление проводит городские экологические акции, объединению нужна их поддержка и площадки.",
    tasks: "Городские субботники, экологический конкурс, экспертная оценка проектов ребят.",
    contacts: [{ fullName: "Филиппов Григорий Васильевич", position: "Начальник отдела экологического просвещения" }],
  },
  // Public organisations
  {
    fullName: "Иркутская региональная общественная организация «Ассоциация юных инженеров Прибайкалья»",
    shortName: "Ассоциация юных инженеров Прибайкалья",
    type: "public_organisation", stage: "system_forming", owner: { unit: "robo" }, focuses: ["technical"],
    address: irk("ул. Сурикова, 21"),
    motivation: "Ассоциация проводит инженерные соревнования и приглашает команды студии; студии — выход на региональный уровень.",
    tasks: "Участие в соревнованиях ассоциации, судейство, совместные сборы команд.",
    contacts: [{ fullName: "Власов Николай Петрович", position: "Председатель правления" }],
    audience: "gifted",
  },
  {
    fullName: "Автономная некоммерческая организация «Центр поддержки семей, воспитывающих детей с ОВЗ, „Рядом“»",
    shortName: "АНО «Рядом»",
    type: "public_organisation", stage: "system_forming", owner: { unit: "arts" }, focuses: ["social_humanitarian", "arts"],
    address: irk("ул. Седова, 65"),
    motivation: "Центр объединяет семьи детей с ОВЗ и ищет для них творческие занятия; Дворец расширяет инклюзивные программы.",
    tasks: "Инклюзивные мастер-классы и выставки, консультации для родителей, подготовка педагогов.",
    contacts: [
      { fullName: "Казакова Любовь Алексеевна", position: "Руководитель центра", linked: { firstName: "Любовь", lastName: "Казакова", language: "ru" } },
    ],
    audience: "disabilities",
  },
  {
    fullName: "Иркутская региональная общественная организация «Клуб путешественников „Азимут-Байкал“»",
    shortName: "Клуб «Азимут-Байкал»",
    type: "public_organisation", stage: "system_forming", owner: { unit: "local" }, focuses: ["tourism_local_history", "sport"],
    address: irk("ул. Степана Разина, 27"),
    motivation: "Опытные путешественники клуба готовы учить ребят походному делу и ориентированию.",
    tasks: "Учебные походы выходного дня, соревнования по ориентированию, встречи с путешественниками.",
    contacts: [{ fullName: "Тихонов Сергей Борисович", position: "Председатель клуба" }],
  },
  {
    fullName: "Автономная некоммерческая организация «Центр международных образовательных программ „Мост“»",
    shortName: "АНО «Мост»",
    type: "public_organisation", stage: "organisational", owner: { unit: "english" }, focuses: ["social_humanitarian"], agreement: true,
    address: irk("ул. Горького, 36"),
    motivation: "Центр приглашает волонтёров-носителей языка и проводит международные онлайн-встречи школьников.",
    tasks: "Встречи с волонтёрами-носителями языка, международный онлайн-проект клуба «Speak Up».",
    contacts: [
      { fullName: "Sarah Mitchell", position: "Program coordinator", linked: { firstName: "Sarah", lastName: "Mitchell", language: "en" } },
    ],
  },
  {
    fullName: "Иркутская городская общественная организация «Волонтёрский центр „Добрые сердца“»",
    shortName: "Волонтёрский центр «Добрые сердца»",
    type: "public_organisation", stage: "preparatory", owner: { unit: "leader" }, focuses: ["social_humanitarian"],
    address: irk("ул. Дзержинского, 18"),
    motivation: "Будущим вожатым нужна волонтёрская практика, центру — организованные группы подростков.",
    tasks: "Обсудить совместные акции и обучение подростков основам волонтёрства.",
    contacts: [{ fullName: "Щербакова Анастасия Романовна", position: "Координатор программ" }],
  },
  // Businesses
  {
    fullName: "Общество с ограниченной ответственностью «СибТехСофт»",
    shortName: "ООО «СибТехСофт»",
    type: "business", stage: "system_forming", owner: { unit: "model3d" }, focuses: ["technical"],
    address: irk("ул. Байкальская, 239"),
    motivation: "IT-компания растит будущих разработчиков и готова показывать ребятам свою работу изнутри.",
    tasks: "Экскурсии в офис компании, встречи с разработчиками, призы для конкурсов.",
    contacts: [
      { fullName: "Денисов Алексей Викторович", position: "Руководитель отдела персонала", linked: { firstName: "Алексей", lastName: "Денисов", language: "ru" } },
    ],
    audience: "career",
  },
  {
    fullName: "Общество с ограниченной ответственностью «Байкал-Энергосервис»",
    shortName: "ООО «Байкал-Энергосервис»",
    type: "business", stage: "organisational", owner: { unit: "tech" }, focuses: ["technical"],
    address: irk("ул. Ширямова, 54"),
    motivation: "Компании нужны будущие инженеры-энергетики; отделу — экскурсии на производство и наставники.",
    tasks: "Согласовать договор: профориентационные экскурсии и встречи с инженерами.",
    contacts: [{ fullName: "Гаврилов Дмитрий Олегович", position: "Ведущий инженер" }],
    audience: "career",
  },
  {
    fullName: "Общество с ограниченной ответственностью «Типография „Листок“»",
    shortName: "Типография «Листок»",
    type: "business", stage: "preparatory", owner: { unit: "palette" }, focuses: ["arts"],
    address: irk("ул. Рабочая, 2а"),
    motivation: "Типография готова печатать каталоги детских выставок и показывать ребятам полиграфическое производство.",
    tasks: "Обсудить экскурсию и печать каталога весенней выставки.",
    contacts: [{ fullName: "Афанасьева Ирина Юрьевна", position: "Директор" }],
  },
  {
    fullName: "Общество с ограниченной ответственностью «Научно-производственное предприятие „ИркутскГеоПрибор“»",
    shortName: "НПП «ИркутскГеоПрибор»",
    type: "business", stage: "organisational", owner: { teacher: "melnikov" }, focuses: ["technical"], agreement: true,
    address: irk("ул. Мира, 32"),
    motivation: "Предприятие выпускает измерительные приборы и предлагает студии задачи для инженерных проектов.",
    tasks: "Проектные задачи от предприятия, экскурсии в цеха, защита проектов перед инженерами.",
    contacts: [{ fullName: "Рыбаков Владимир Ильич", position: "Главный инженер" }],
    audience: "career",
  },
  // Culture
  {
    fullName: "Муниципальное бюджетное учреждение культуры «Библиотека семейного чтения „Лукоморье“»",
    shortName: "Библиотека «Лукоморье»",
    type: "culture_organisation", stage: "system_forming", owner: { unit: "social" }, focuses: ["social_humanitarian"],
    address: irk("ул. Волжская, 51"),
    motivation: "Библиотека проводит семейные чтения, отделу нужна площадка для литературных встреч и конкурсов.",
    tasks: "Конкурс чтецов, встречи с писателями, книжные выставки к праздникам.",
    contacts: [{ fullName: "Матвеева Галина Петровна", position: "Руководитель отдела обслуживания детей" }],
  },
  {
    fullName: "Муниципальное бюджетное учреждение культуры «Музей истории Приангарья „Иркутская слобода“»",
    shortName: "Музей «Иркутская слобода»",
    type: "culture_organisation", stage: "system_forming", owner: { unit: "local" }, focuses: ["tourism_local_history"],
    address: irk("ул. Седова, 18"),
    motivation: "Музей ведёт детские программы по истории города; клубу — экспозиции и консультации историков.",
    tasks: "Экскурсии и музейные занятия, совместный квест по историческому центру, исследовательские работы ребят.",
    contacts: [
      { fullName: "Суворова Елена Аркадьевна", position: "Руководитель научно-просветительского отдела", linked: { firstName: "Елена", lastName: "Суворова", language: "ru" } },
    ],
  },
  {
    fullName: "Муниципальное автономное учреждение культуры «Молодёжный театр „Диалог“»",
    shortName: "Театр «Диалог»",
    type: "culture_organisation", stage: "organisational", owner: { unit: "arts" }, focuses: ["arts"],
    address: irk("ул. Карла Либкнехта, 23"),
    motivation: "Театр предлагает ребятам закулисные экскурсии и занятия с актёрами.",
    tasks: "Подготовить договор: экскурсии за кулисы, мастер-классы по сценической речи.",
    contacts: [{ fullName: "Аксёнова Вероника Андреевна", position: "Руководитель детских программ" }],
  },
  {
    fullName: "Картинная галерея «Ангарский вернисаж»",
    shortName: "Галерея «Ангарский вернисаж»",
    type: "culture_organisation", stage: "system_forming", owner: { unit: "palette" }, focuses: ["arts"],
    address: irk("ул. Сухэ-Батора, 9"),
    motivation: "Галерея выставляет работы молодых художников и готова отдавать зал под выставки изостудии.",
    tasks: "Две выставки в год, встречи с художниками, мастер-классы в залах галереи.",
    contacts: [{ fullName: "Шубина Маргарита Олеговна", position: "Куратор выставок" }],
    audience: "gifted",
  },
  {
    fullName: "Муниципальное бюджетное учреждение культуры «Дом культуры „Сибиряк“»",
    shortName: "ДК «Сибиряк»",
    type: "culture_organisation", stage: "preparatory", owner: { unit: "dance" }, focuses: ["arts"],
    address: irk("ул. Розы Люксембург, 144"),
    motivation: "Дом культуры предлагает ансамблю большую сцену для отчётного концерта.",
    tasks: "Обсудить условия проведения отчётного концерта и совместного фестиваля.",
    contacts: [{ fullName: "Сидоров Борис Геннадьевич", position: "Художественный руководитель" }],
  },
  // Other
  {
    fullName: "Детский оздоровительный лагерь «Берёзка»",
    shortName: "ДОЛ «Берёзка»",
    type: "other", stage: "organisational", owner: { unit: "nature" }, focuses: ["sport", "tourism_local_history"],
    address: "Иркутский район, 27-й км Байкальского тракта",
    motivation: "Лагерь приглашает педагогов отдела вести профильную туристско-экологическую смену.",
    tasks: "Согласовать программу летней профильной смены и договор.",
    contacts: [{ fullName: "Комаров Василий Степанович", position: "Директор лагеря" }],
  },
  {
    fullName: "Редакция детской газеты «Приангарский школьник»",
    shortName: "Газета «Приангарский школьник»",
    type: "other", stage: "preparatory", owner: "institution", focuses: ["social_humanitarian"], noMotivation: true,
    address: irk("ул. Свердлова, 36"),
    motivation: "", tasks: "",
    contacts: [{ fullName: "Беляева Дарья Константиновна", position: "Главный редактор" }],
  },
];

/** The genitive of each focus, as in «мероприятия художественной направленности». */
const FOCUS_GENITIVE: Record<Focus, string> = {
  technical: "технической",
  natural_science: "естественнонаучной",
  sport: "физкультурно-спортивной",
  arts: "художественной",
  tourism_local_history: "туристско-краеведческой",
  social_humanitarian: "социально-гуманитарной",
};

interface EventIdea {
  focus: Focus;
  title: string;
  description: string;
}

/** Titles of joint events by format, each for one focus. */
const EVENT_IDEAS: Record<EventFormat, EventIdea[]> = {
  project: [
    { focus: "technical", title: "Проект «Умный город»: робототехнические макеты городской среды", description: "Команды собирают и программируют макеты светофоров, освещения и парковок." },
    { focus: "natural_science", title: "Экологический проект «Чистый берег Ангары»", description: "Ребята изучают состояние берега, собирают пробы и готовят предложения для города." },
    { focus: "arts", title: "Проект «Сказки Приангарья»: иллюстрации к сибирским сказкам", description: "Юные художники иллюстрируют сказки народов Сибири для детской книги." },
    { focus: "social_humanitarian", title: "Медиапроект «Голос школы»", description: "Подростки выпускают видеорепортажи о жизни школы и Дворца." },
    { focus: "tourism_local_history", title: "Проект «Деревянный Иркутск глазами детей»", description: "Фотографии, зарисовки и рассказы о домах исторического центра." },
  ],
  joint_event: [
    { focus: "technical", title: "Фестиваль технического творчества «ТехноСтарт»", description: "Показательные выступления роботов, выставка моделей и открытые мастерские." },
    { focus: "arts", title: "Праздничный концерт ко Дню матери", description: "Концертная программа ансамбля и гостей для мам и бабушек." },
    { focus: "natural_science", title: "Экологическая акция «Сдай макулатуру — сохрани дерево»", description: "Сбор макулатуры и занятие о переработке отходов." },
    { focus: "tourism_local_history", title: "Квест по историческому центру «Город на Ангаре»", description: "Команды проходят маршрут по старому Иркутску и отвечают на вопросы о его истории." },
    { focus: "social_humanitarian", title: "Благотворительный концерт «Подари чудо»", description: "Сбор подарков для детей из социальных учреждений города." },
    { focus: "sport", title: "Спортивный праздник «Весёлые старты»", description: "Командные эстафеты для учащихся младших классов." },
  ],
  meeting_interesting_people: [
    { focus: "technical", title: "Встреча с инженером-конструктором: как рождается новый прибор", description: "Инженер рассказывает о своей профессии и отвечает на вопросы ребят." },
    { focus: "arts", title: "Встреча с художником-иллюстратором", description: "Разговор о профессии иллюстратора и показ рабочих эскизов." },
    { focus: "natural_science", title: "Встреча с исследователем Байкала", description: "Учёный рассказывает об экспедициях и о том, как изучают озеро." },
    { focus: "tourism_local_history", title: "Встреча с путешественниками: сплав по рекам Восточного Саяна", description: "Рассказ о походе с фотографиями и снаряжением." },
    { focus: "social_humanitarian", title: "Разговор о профессии: встреча с журналистом", description: "Как готовят новости и как проверяют факты." },
  ],
  consultation: [
    { focus: "technical", title: "Консультация для учителей по подготовке команд к соревнованиям по робототехнике", description: "Регламенты, типичные ошибки команд, подбор задач для тренировок." },
    { focus: "social_humanitarian", title: "Консультация для родителей детей с ОВЗ: как выбрать творческое объединение", description: "Педагоги и психолог отвечают на вопросы родителей." },
    { focus: "social_humanitarian", title: "Профориентационная консультация для старшеклассников", description: "Индивидуальные беседы о выборе профессии и образовательного маршрута." },
    { focus: "natural_science", title: "Консультация по подготовке исследовательских работ к научно-практической конференции", description: "Как выбрать тему, оформить работу и выступить с докладом." },
    { focus: "arts", title: "Консультация по подготовке портфолио для поступления", description: "Разбор работ выпускников изостудии." },
  ],
  round_table: [
    { focus: "social_humanitarian", title: "Круглый стол «Школа и дополнительное образование: общие задачи»", description: "Обсуждение совместных планов на учебный год." },
    { focus: "arts", title: "Круглый стол «Инклюзия в творческих объединениях»", description: "Опыт педагогов, работающих с детьми с ОВЗ." },
    { focus: "technical", title: "Круглый стол «Профессии будущего в Приангарье»", description: "Представители предприятий и вузов о том, каких специалистов ждут в регионе." },
    { focus: "natural_science", title: "Круглый стол «Экологическое воспитание: опыт партнёров»", description: "Педагоги и учёные делятся находками и планами." },
  ],
  master_class: [
    { focus: "technical", title: "Мастер-класс по пайке и основам электроники", description: "Каждый участник собирает простую светодиодную схему." },
    { focus: "arts", title: "Мастер-класс по акварели «Байкальские пейзажи»", description: "Техника работы по мокрому листу." },
    { focus: "arts", title: "Мастер-класс по народному танцу", description: "Основные движения сибирских хороводов." },
    { focus: "technical", title: "Мастер-класс «3D-печать: от идеи до модели»", description: "Моделирование и печать брелока." },
    { focus: "arts", title: "Мастер-класс по росписи деревянной игрушки", description: "Традиционные мотивы ангарской росписи." },
    { focus: "social_humanitarian", title: "Мастер-класс по ораторскому мастерству", description: "Как готовить выступление и не бояться сцены." },
    { focus: "sport", title: "Мастер-класс по спортивному ориентированию", description: "Работа с картой и компасом в парке." },
  ],
  excursion: [
    { focus: "technical", title: "Экскурсия в IT-компанию: как создаются программы", description: "Знакомство с рабочими местами разработчиков и тестировщиков." },
    { focus: "natural_science", title: "Экскурсия в лабораторию: как изучают воду Байкала", description: "Ребята видят приборы и сами делают простой анализ пробы." },
    { focus: "tourism_local_history", title: "Экскурсия «Иркутск купеческий»", description: "Пешеходный маршрут по улицам исторического центра." },
    { focus: "natural_science", title: "Экскурсия в обсерваторию: наблюдение звёздного неба", description: "Наблюдения в телескоп и рассказ о созвездиях." },
    { focus: "technical", title: "Экскурсия на производство: как делают измерительные приборы", description: "Цеха, лаборатория контроля качества, разговор с инженерами." },
    { focus: "arts", title: "Экскурсия за кулисы театра", description: "Сцена, гримёрные и мастерские глазами зрителя." },
  ],
  contest: [
    { focus: "technical", title: "Городской конкурс робототехники «РобоБайкал»", description: "Соревнования в категориях «Сумо», «Траектория» и «Творческий проект»." },
    { focus: "arts", title: "Конкурс рисунков «Мой Байкал»", description: "Работы принимаются в двух возрастных группах." },
    { focus: "social_humanitarian", title: "Конкурс чтецов «Живое слово»", description: "Стихи и проза сибирских авторов." },
    { focus: "natural_science", title: "Конкурс исследовательских работ «Юный эколог Приангарья»", description: "Защита работ перед жюри учёных." },
    { focus: "arts", title: "Конкурс хореографических коллективов «Сибирские узоры»", description: "Народный и эстрадный танец, соло и ансамбли." },
  ],
  exhibition: [
    { focus: "arts", title: "Выставка детских работ «Краски осени»", description: "Живопись и графика учащихся изостудии." },
    { focus: "technical", title: "Выставка технического творчества «Сделано руками»", description: "Модели, роботы и изделия, напечатанные на 3D-принтере." },
    { focus: "tourism_local_history", title: "Фотовыставка «Заповедные тропы Прибайкалья»", description: "Снимки, сделанные ребятами в походах." },
    { focus: "arts", title: "Выставка декоративно-прикладного творчества «Сибирский сувенир»", description: "Роспись, резьба, изделия из бересты." },
  ],
  other: [
    { focus: "social_humanitarian", title: "День открытых дверей Дворца творчества для учащихся школы", description: "Знакомство с объединениями и пробные занятия." },
    { focus: "social_humanitarian", title: "Родительское собрание: программы дополнительного образования на новый учебный год", description: "Педагоги представляют объединения и отвечают на вопросы." },
    { focus: "natural_science", title: "Субботник в сквере у Дворца творчества", description: "Уборка территории и посадка кустарников." },
  ],
};

const PLACES_AT_PALACE = [
  "Дворец творчества, актовый зал",
  "Дворец творчества, выставочный зал",
  "Дворец творчества, кабинет 214",
  "Дворец творчества, хореографический зал",
  "Дворец творчества, лаборатория робототехники",
];

/**
 * The level of a joint event (the self-assessment indicators count mass events by it, order
 * № 1324, приложение № 5, 1.8–1.11): most are the institution's own or the city's, some the
 * region's, a few wider. By format, unless the title says more; a choice of [level, weight].
 */
const LEVELS_BY_FORMAT: Record<EventFormat, readonly (readonly [EventLevel, number])[]> = {
  project: [["institutional", 3], ["municipal", 4], ["regional", 2]],
  joint_event: [["institutional", 3], ["municipal", 5], ["regional", 1]],
  meeting_interesting_people: [["institutional", 8], ["municipal", 2]],
  consultation: [["institutional", 8], ["municipal", 2]],
  round_table: [["institutional", 3], ["municipal", 4], ["regional", 2]],
  master_class: [["institutional", 8], ["municipal", 2]],
  excursion: [["institutional", 9], ["municipal", 1]],
  contest: [["municipal", 3], ["regional", 2]],
  exhibition: [["institutional", 3], ["municipal", 4], ["regional", 2]],
  other: [["institutional", 1]],
};
const LEVELS_BY_TITLE: Record<string, readonly (readonly [EventLevel, number])[]> = {
  "Городской конкурс робототехники «РобоБайкал»": [["municipal", 1]],
  "Конкурс рисунков «Мой Байкал»": [["regional", 1], ["international", 1]],
  "Конкурс чтецов «Живое слово»": [["federal", 1], ["municipal", 2]],
  "Конкурс исследовательских работ «Юный эколог Приангарья»": [["regional", 1]],
  "Конкурс хореографических коллективов «Сибирские узоры»": [["interregional", 1]],
  "Фестиваль технического творчества «ТехноСтарт»": [["municipal", 3], ["regional", 1]],
  "Круглый стол «Профессии будущего в Приангарье»": [["regional", 1]],
  "Квест по историческому центру «Город на Ангаре»": [["municipal", 1]],
  "Выставка декоративно-прикладного творчества «Сибирский сувенир»": [["interregional", 1]],
  "Проект «Умный город»: робототехнические макеты городской среды": [["municipal", 2], ["federal", 1]],
  "Экологический проект «Чистый берег Ангары»": [["regional", 1]],
  "Медиапроект «Голос школы»": [["institutional", 1], ["federal", 1]],
  "Субботник в сквере у Дворца творчества": [["institutional", 1]],
};
/** Partners whose joint events are international whatever their format. */
const INTERNATIONAL_PARTNERS = new Set(["АНО «Мост»"]);

/** Joint events of other formats than "contest" that are competitions: their results are recorded too. */
const COMPETITIONS = new Set([
  "Квест по историческому центру «Город на Ангаре»",
  "Спортивный праздник «Весёлые старты»",
  "Выставка декоративно-прикладного творчества «Сибирский сувенир»",
]);

/** What staff write after an event was held. */
const RESULTS: Record<EventFormat, string[]> = {
  project: ["Проект защищён, лучшие работы представлены на городской конференции.", "Ребята завершили проект и показали результаты родителям и партнёру."],
  joint_event: ["Мероприятие прошло по плану, партнёр предложил сделать его ежегодным.", "Зал был полон, ребята выступили уверенно."],
  meeting_interesting_people: ["Ребята задали много вопросов, несколько человек записались на профпробы.", "Встреча получилась живой, гость согласился прийти ещё раз."],
  consultation: ["Проведены индивидуальные консультации, участники получили памятки.", "Разобрали вопросы участников, договорились о повторной встрече."],
  round_table: ["Приняты рекомендации, подготовлена резолюция для участников.", "Договорились о совместных мероприятиях на следующее полугодие."],
  master_class: ["Каждый участник выполнил работу и забрал её с собой.", "Мастер-класс прошёл в двух группах, отзывы хорошие."],
  excursion: ["Экскурсия прошла интересно, ребята подготовили фотоотчёт.", "Партнёр показал больше, чем планировалось, ребята в восторге."],
  contest: ["Определены победители и призёры, работы отправлены на областной этап.", "Участвовали команды из нескольких школ, награждение прошло в тот же день."],
  exhibition: ["Выставку посетили учащиеся и родители, работы отобраны для каталога.", "Выставка открыта, отзывы посетителей записаны в книгу отзывов."],
  other: ["Всё прошло организованно, получены заявки на запись в объединения.", "Участники получили информацию о программах на новый учебный год."],
};

const CANCEL_REASONS = [
  "Перенесено: в школе объявлен карантин по гриппу.",
  "Отменено: партнёр не смог предоставить зал в этот день.",
  "Не состоялось из-за сильного мороза, занятия на улице отменены.",
];

const REJECT_COMMENTS = [
  "Дата совпадает с городским конкурсом, предлагаю перенести на весну.",
  "В этот день зал занят отчётным концертом, выберите другую дату.",
];

const CHANGES_COMMENT = "Уточните, пожалуйста, число участников и место проведения.";

const APPROVE_COMMENTS = [null, null, null, "Согласовано, хорошая идея.", "Согласовано. Не забудьте пригласить родителей.", null];

const PARTNER_WENT_WELL = [
  "Хорошая организация, дети были заняты всё время.",
  "Понравилась подготовка педагогов и внимание к каждому ребёнку.",
  "Ребята ушли вдохновлёнными, многие спрашивают о следующей встрече.",
  "Чёткий сценарий и доброжелательная атмосфера.",
  "Удачно подобраны задания по возрасту.",
];

const PARTNER_IMPROVE = [
  "Заранее присылать списки участников.",
  "Хотелось бы больше времени на практическую часть.",
  "Нужен микрофон для ведущего, в конце зала было плохо слышно.",
  "Предлагаем в следующий раз пригласить родителей.",
];

const PARTNER_LOW_IMPROVE = [
  "Начали на сорок минут позже, дети устали ждать.",
  "Не хватило мест, часть ребят простояла всё мероприятие.",
];

const PARTICIPANT_COMMENTS = [
  "Очень понравилось, хотим ещё!",
  "Спасибо педагогам за терпение и внимание к детям.",
  "Было интересно, но зал маловат для такого количества людей.",
  "Ребёнок в восторге, дома рассказывал весь вечер.",
  "Хотелось бы больше практики и меньше теории.",
  "Всё прошло организованно, спасибо!",
  "Отличная идея проводить такое вместе со школой.",
  "Интересно и понятно даже младшим.",
  "Узнал много нового о своём городе.",
  "Спасибо за тёплую атмосферу.",
];

const PARTICIPANT_LOW_COMMENTS = [
  "Долго ждали начала, было скучно.",
  "Плохо слышно, ничего не поняли.",
];

/** Dated notes in the interaction log, by kind; {focus} is filled in. */
const INTERACTION_TEXTS = {
  negotiation: [
    "Переговоры с руководством организации: обсудили цели сотрудничества и форматы совместной работы {focus} направленности.",
    "Первая встреча с представителями партнёра: рассказали о программах Дворца, партнёр заинтересован в совместных мероприятиях.",
  ],
  call: [
    "Телефонный разговор: уточнили сроки и состав участников ближайшего мероприятия.",
    "Созвонились с партнёром, договорились о времени следующей встречи.",
  ],
  letter: [
    "Направлено письмо с предложением о сотрудничестве и описанием программ {focus} направленности.",
    "Получено ответное письмо: партнёр согласен обсудить проект договора.",
  ],
  agreeing_positions: [
    "Согласовали проект плана совместных мероприятий на учебный год, учли предложения партнёра.",
    "Согласовали с партнёром порядок использования помещений и оборудования.",
  ],
  expert_assessment: [
    "Специалисты партнёра дали экспертную оценку программы объединения, замечания учтены.",
    "Партнёр провёл экспертную оценку проектов ребят перед конкурсом.",
  ],
  document_drafted: [
    "Подготовлен проект договора о сотрудничестве и плана совместных мероприятий, направлен партнёру.",
    "Подготовлено положение о совместном конкурсе.",
  ],
  meeting: [
    "Рабочая встреча с партнёром: подвели итоги полугодия и наметили мероприятия на следующие месяцы.",
    "Встреча у партнёра: обсудили участие ребят в совместном проекте.",
  ],
  other: ["Партнёр предоставил помещение и оборудование для занятий группы.", "Подготовили совместный фотоотчёт для сайтов обеих организаций."],
} as const;

const STAGE_COMMENTS = {
  organisational: [
    "Мотивация и задачи сформулированы, начинаем готовить договор.",
    "Партнёр согласен сотрудничать, переходим к подготовке договора и плана.",
  ],
  system_forming: [
    "Договор подписан, план выполняется, работа стала регулярной.",
    "Совместные мероприятия проходят по плану, партнёрство устойчивое.",
  ],
} as const;

/** Names for the contacts the generator adds: female and male forms. */
const NAME_POOL = {
  femaleFirst: ["Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Анна", "Мария", "Юлия", "Людмила", "Ксения"],
  maleFirst: ["Александр", "Сергей", "Андрей", "Дмитрий", "Павел", "Николай", "Евгений", "Константин", "Олег", "Юрий"],
  patronymics: [
    ["Александрович", "Александровна"], ["Сергеевич", "Сергеевна"], ["Викторович", "Викторовна"], ["Николаевич", "Николаевна"],
    ["Петрович", "Петровна"], ["Юрьевич", "Юрьевна"], ["Михайлович", "Михайловна"], ["Владимирович", "Владимировна"],
  ] as [string, string][],
  surnames: ["Новиков", "Волков", "Козлов", "Орлов", "Зайцев", "Яковлев", "Романов", "Воробьёв", "Киселёв", "Максимов", "Марков", "Черных", "Седых"],
};

const SECOND_CONTACT_POSITIONS: Record<PartnerType, string> = {
  school: "Педагог-организатор",
  university: "Специалист по работе с абитуриентами",
  college: "Руководитель приёмной комиссии",
  science_centre: "Младший научный сотрудник",
  government_body: "Главный специалист",
  public_organisation: "Координатор проектов",
  business: "Специалист по связям с общественностью",
  culture_organisation: "Методист",
  other: "Администратор",
};

const AGREEMENT_SUBJECTS: Record<Focus, string> = {
  technical: "Сотрудничество в развитии технического творчества детей: совместные занятия, соревнования и профориентация учащихся",
  natural_science: "Сотрудничество в естественнонаучном образовании детей: исследовательская работа, практикумы и экологические акции",
  sport: "Сотрудничество в организации физкультурно-спортивных и оздоровительных мероприятий для детей",
  arts: "Сотрудничество в художественном образовании детей: концерты, выставки, мастер-классы и творческие конкурсы",
  tourism_local_history: "Сотрудничество в туристско-краеведческой работе с детьми: экскурсии, походы и изучение истории Приангарья",
  social_humanitarian: "Сотрудничество в социально-гуманитарном образовании детей: социальные проекты, просветительские и профориентационные мероприятия",
};

/**
 * Telegram ids of the demo people: 200000001–200000999 (staff from 200000001, partner contacts
 * from 200000101). The playground's emulator allocates the ids of new people outside this range;
 * the demo is meant for a playground database, never for one with real Telegram users.
 */
export const DEMO_TELEGRAM_IDS = { first: 200_000_001, last: 200_000_999, staff: 200_000_001, contacts: 200_000_101 } as const;

/** The bot_state row that says the demo data is in this database (its value holds the counts). */
export const DEMO_MARKER_KEY = "playground:demo-seed";

/** The generator's seed: the same data every time. */
const SEED = 0x14_2026;

export interface DemoPerson {
  telegramId: number;
  firstName: string;
  lastName: string;
  language: "ru" | "en";
  /** As stored in users.role: "staff" or "partner". */
  role: string;
  /** The name of the person's unit, for staff. */
  unit?: string;
  kind: "staff" | "partner_contact";
}

export interface DemoCounts {
  units: number;
  staff: number;
  partners: number;
  contacts: number;
  agreements: number;
  planItems: number;
  interactions: number;
  events: number;
  /** Answers: partner contacts' ratings and participants' anonymous answers. */
  feedback: number;
}

export interface DemoSeedResult {
  /** False when the demo data was already there: then nothing was written. */
  seeded: boolean;
  /** The staff and partner contacts of the demo, so the playground can offer to chat as them. */
  people: DemoPerson[];
  counts: DemoCounts;
}

export interface DemoSeedOptions {
  now: Date;
  /** The institution's time zone, e.g. "Asia/Irkutsk". */
  timeZone: string;
  /** An administrator (ADMIN_TELEGRAM_IDS): left as is; when already in the database, decides some events. */
  adminTelegramId?: number;
}

// ---------------------------------------------------------------------------------------------
// Determinism

/** mulberry32: small, fast, and the same sequence on every machine. */
class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("pick from nothing");
    return items[Math.floor(this.next() * items.length)]!;
  }
  /** Weighted choice: [value, weight] pairs. */
  weighted<T>(choices: readonly (readonly [T, number])[]): T {
    const total = choices.reduce((sum, [, w]) => sum + w, 0);
    let r = this.next() * total;
    for (const [value, w] of choices) {
      r -= w;
      if (r < 0) return value;
    }
    return choices[choices.length - 1]![0];
  }
  bytes(n: number): Buffer {
    return Buffer.from(Array.from({ length: n }, () => Math.floor(this.next() * 256)));
  }
}

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const REMINDER_DAYS = [2, 5];
const LINK_DAYS = 7;
const PROMPT_DAYS = 14;

/** Half-Latin transliteration for invented e-mail addresses. */
const LATIN: Record<string, string> = {
  а: "a", б: "b", в: "v", г: "g", д: "d", е: "e", ё: "e", ж: "zh", з: "z", и: "i", й: "y", к: "k", л: "l", м: "m", н: "n", о: "o",
  п: "p", р: "r", с: "s", т: "t", у: "u", ф: "f", х: "kh", ц: "ts", ч: "ch", ш: "sh", щ: "shch", ъ: "", ы: "y", ь: "", э: "e", ю: "yu", я: "ya",
};
const latin = (text: string) =>
  [...text.toLowerCase()].map((c) => LATIN[c] ?? (/[a-z0-9]/.test(c) ? c : "")).join("");

/** A 10-digit INN of an Irkutsk organisation with correct check digit (invented). */
function innOf(random: Random): string {
  const digits = [3, 8, ...random.pick([[0, 8], [1, 1], [1, 2], [1, 0]]), ...Array.from({ length: 5 }, () => random.int(0, 9))];
  const weights = [2, 4, 10, 3, 5, 9, 4, 6, 8];
  const check = (digits.reduce((sum, d, i) => sum + d * weights[i]!, 0) % 11) % 10;
  return [...digits, check].join("");
}

function phoneOf(random: Random, mobile: boolean): string {
  const raw = mobile
    ? `8 ${random.pick(["914", "902", "950", "924", "964", "908"])} ${random.int(100, 999)}-${random.int(10, 99)}-${random.int(10, 99)}`
    : `8 (3952) ${random.int(20, 79)}-${random.int(10, 99)}-${random.int(10, 99)}`;
  const checked = CONTACT_CHECKS.phone(raw);
  if (!checked.ok) throw new Error(`demo phone ${raw} is not valid`);
  return checked.value;
}

// ---------------------------------------------------------------------------------------------
// The seed

type Tx = Db;

interface PartnerRow {
  id: number;
  spec: DemoPartnerSpec;
  createdAt: Date;
  /** When it entered the organisational / system-forming stage. */
  organisationalAt?: Date;
  systemFormingAt?: Date;
  signedOn?: string;
  keeper: number;
  /** The unit whose head decides its events. */
  decidingUnit: number;
  linked: { contactId: number; userId: number }[];
  ownerUnitId: number | null;
}

interface PlannedEvent {
  partners: PartnerRow[];
  format: EventFormat;
  title: string;
  description: string;
  startsAt: Date;
  status: EventStatus;
  planItemId: number | null;
  responsibleUserId: number;
  focus: Focus;
}

/**
 * Fills the database with a year of a plausible institution: units and staff, 40 partners of every
 * type in every stage with their history, contacts, agreements and joint plans, the interaction
 * log, events in every format, status and level (held competitions with their winners and
 * prize-winners, held projects with their students), and the feedback about those held. All in one
 * transaction; a second call finds the marker and writes nothing.
 */
export async function seedDemo(db: Db, options: DemoSeedOptions): Promise<DemoSeedResult> {
  const { now, timeZone } = options;
  if (Number.isNaN(now.getTime())) throw new Error("seedDemo: now is not a date");
  new Intl.DateTimeFormat("en", { timeZone }); // throws on an unknown zone
  const admin = options.adminTelegramId;
  if (admin !== undefined && admin >= DEMO_TELEGRAM_IDS.first && admin <= DEMO_TELEGRAM_IDS.last) {
    throw new Error(`the admin's Telegram id ${admin} is in the demo's range ${DEMO_TELEGRAM_IDS.first}–${DEMO_TELEGRAM_IDS.last}`);
  }
  return db.transaction(async (tx) => {
    const [claimed] = await tx
      .insert(botState)
      .values({ key: DEMO_MARKER_KEY, value: { version: 1, seededAt: now.toISOString() } })
      .onConflictDoNothing({ target: botState.key })
      .returning({ key: botState.key });
    if (!claimed) {
      const [marker] = await tx.select({ value: botState.value }).from(botState).where(eq(botState.key, DEMO_MARKER_KEY));
      const counts = (marker?.value as { counts?: DemoCounts } | undefined)?.counts ?? emptyCounts();
      return { seeded: false, people: await demoPeople(tx), counts };
    }
    const counts = await fill(tx, options);
    await tx
      .update(botState)
      .set({ value: { version: 1, seededAt: now.toISOString(), counts } })
      .where(eq(botState.key, DEMO_MARKER_KEY));
    await recordAudit(tx, { actorUserId: null, action: "demo.seeded", entityType: "demo", entityId: "playground", after: counts });
    return { seeded: true, people: await demoPeople(tx), counts };
  });
}

const emptyCounts = (): DemoCounts => ({ units: 0, staff: 0, partners: 0, contacts: 0, agreements: 0, planItems: 0, interactions: 0, events: 0, feedback: 0 });

/** The demo's people as stored now. */
async function demoPeople(db: Db): Promise<DemoPerson[]> {
  const rows = await db
    .select({ user: users, unit: units.name })
    .from(users)
    .leftJoin(units, eq(units.id, users.unitId))
    .where(and(between(users.telegramId, DEMO_TELEGRAM_IDS.first, DEMO_TELEGRAM_IDS.last)))
    .orderBy(asc(users.telegramId));
  return rows.map(({ user, unit }) => ({
    telegramId: user.telegramId,
    firstName: user.firstName,
    lastName: user.lastName ?? "",
    language: user.language === "en" ? "en" : "ru",
    role: user.role,
    ...(unit ? { unit } : {}),
    kind: user.role === "partner" ? "partner_contact" : "staff",
  }));
}

async function fill(tx: Tx, options: DemoSeedOptions): Promise<DemoCounts> {
  const { now, timeZone } = options;
  const random = new Random(SEED);
  // Levels, competitions and their results come from a stream of their own, so that adding them
  // left every other choice (and so every count) as it was.
  const marks = new Random(SEED ^ 0x1e7e1);
  const today = localDate(now, timeZone);
  const counts = emptyCounts();

  const weekday = (day: string) => new Date(`${day}T00:00:00Z`).getUTCDay();
  /** A local time on a day; a Sunday moves to Saturday (back) or Monday (forward). */
  const at = (day: string, hour: number, minute = 0, forward = false): Date => {
    const shifted = weekday(day) === 0 ? addDays(day, forward ? 1 : -1) : day;
    const [y, m, d] = shifted.split("-").map(Number) as [number, number, number];
    const instant = zonedInstant({ year: y, month: m, day: d, hour, minute }, timeZone);
    if (!instant) throw new Error(`no such local time: ${shifted} ${hour}:${minute}`);
    return instant;
  };
  const daysAgo = (n: number, hour = random.int(9, 17)) => at(addDays(today, -n), hour, random.pick([0, 15, 30, 45]));
  const dayOf = (instant: Date) => localDate(instant, timeZone);
  const later = (instant: Date, ms: number) => new Date(instant.getTime() + ms);
  const earliest = (...dates: Date[]) => new Date(Math.min(...dates.map((d) => d.getTime())));

  // Units, then staff, then heads.
  const unitIds = new Map<UnitCode, number>();
  const unitName = new Map<number, string>();
  const unitParent = new Map<number, number | null>();
  const unitsSince = daysAgo(1200, 10);
  for (const spec of DEMO_UNITS) {
    const parentId = spec.parent ? unitIds.get(spec.parent)! : null;
    const [row] = await tx
      .insert(units)
      .values({ kind: spec.kind, parentId, name: spec.name, createdAt: unitsSince, updatedAt: unitsSince })
      .returning({ id: units.id });
    unitIds.set(spec.code, row!.id);
    unitName.set(row!.id, spec.name);
    unitParent.set(row!.id, parentId);
    counts.units++;
  }
  const staffIds = new Map<StaffCode, number>();
  const staffUnit = new Map<number, number>();
  for (const [i, spec] of DEMO_STAFF.entries()) {
    const createdAt = daysAgo(random.int(400, 1100));
    const unitId = unitIds.get(spec.unit)!;
    const [row] = await tx
      .insert(users)
      .values({
        telegramId: DEMO_TELEGRAM_IDS.staff + i,
        firstName: spec.firstName,
        lastName: spec.lastName,
        telegramLanguage: spec.language,
        language: spec.language,
        role: "staff",
        status: "active",
        unitId,
        createdAt,
        updatedAt: createdAt,
      })
      .returning({ id: users.id });
    staffIds.set(spec.code, row!.id);
    staffUnit.set(row!.id, unitId);
    counts.staff++;
  }
  const heads = new Map<number, number>();
  for (const spec of DEMO_STAFF) {
    for (const code of spec.heads) {
      const unitId = unitIds.get(code)!;
      heads.set(unitId, staffIds.get(spec.code)!);
      await tx.update(units).set({ headUserId: staffIds.get(spec.code)! }).where(eq(units.id, unitId));
    }
  }
  /** The unit that decides: the unit itself when it has a head, else its department. */
  const decidingUnitOf = (unitId: number): number => (heads.has(unitId) ? unitId : decidingUnitOf(unitParent.get(unitId)!));
  const staffOfUnit = (unitId: number) => [...staffUnit.entries()].filter(([, u]) => u === unitId).map(([id]) => id);
  const [adminRow] =
    options.adminTelegramId === undefined
      ? []
      : await tx
          .select({ id: users.id })
          .from(users)
          .where(and(eq(users.telegramId, options.adminTelegramId), eq(users.role, "admin"), eq(users.status, "active")));
  const adminId = adminRow?.id;

  // Partners, their stage history and contacts.
  const partnerRows: PartnerRow[] = [];
  let linkedCount = 0;
  const surnamesLeft = [...NAME_POOL.surnames];
  for (const spec of DEMO_PARTNERS) {
    const ownerKind = spec.owner === "institution" ? "institution" : "teacher" in spec.owner ? "teacher" : DEMO_UNITS.find((u) => u.code === (spec.owner as { unit: UnitCode }).unit)!.kind;
    const ownerUnitId = typeof spec.owner === "object" && "unit" in spec.owner ? unitIds.get(spec.owner.unit)! : null;
    const ownerUserId = typeof spec.owner === "object" && "teacher" in spec.owner ? staffIds.get(spec.owner.teacher)! : null;
    // Who keeps the partnership: the teacher, else the unit's head or member, else its department's head; the methodist for the institution.
    const keeper =
      ownerUserId ??
      (ownerUnitId !== null ? (heads.get(ownerUnitId) ?? staffOfUnit(ownerUnitId)[0] ?? heads.get(decidingUnitOf(ownerUnitId))!) : staffIds.get("osipova")!);
    const decidingUnit = decidingUnitOf(ownerUnitId ?? staffUnit.get(keeper)!);

    const age = spec.stage === "system_forming" ? random.int(560, 1000) : spec.stage === "organisational" ? random.int(150, 480) : random.int(12, 330);
    const createdAt = daysAgo(age);
    const row: PartnerRow = { id: 0, spec, createdAt, keeper, decidingUnit, linked: [], ownerUnitId };
    const history: { from: "preparatory" | "organisational" | null; to: "preparatory" | "organisational" | "system_forming"; at: Date; comment: string }[] = [
      { from: null, to: "preparatory", at: createdAt, comment: "" },
    ];
    if (spec.stage !== "preparatory") {
      row.organisationalAt = later(createdAt, random.int(25, 80) * DAY);
      history.push({ from: "preparatory", to: "organisational", at: row.organisationalAt, comment: random.pick(STAGE_COMMENTS.organisational) });
    }
    if (spec.stage === "system_forming") {
      row.signedOn = dayOf(later(row.organisationalAt!, random.int(25, 60) * DAY));
      row.systemFormingAt = later(at(row.signedOn, 12), random.int(70, 160) * DAY);
      history.push({ from: "organisational", to: "system_forming", at: row.systemFormingAt, comment: random.pick(STAGE_COMMENTS.system_forming) });
    }
    if (spec.stage === "organisational" && spec.agreement) {
      const span = Math.max(0, Math.floor((now.getTime() - row.organisationalAt!.getTime()) / DAY) - 30);
      row.signedOn = dayOf(later(row.organisationalAt!, (15 + random.int(0, span)) * DAY));
    }
    const lastChange = history[history.length - 1]!.at;
    const [inserted] = await tx
      .insert(partners)
      .values({
        fullName: spec.fullName,
        shortName: spec.shortName,
        searchKey: partnerSearchKey(spec.fullName, spec.shortName),
        type: spec.type,
        ownerKind,
        ownerUnitId,
        ownerUserId,
        focuses: spec.focuses,
        website: null,
        address: spec.address,
        inn: innOf(random),
        motivation: spec.noMotivation ? null : spec.motivation,
        tasks: spec.noMotivation ? null : spec.tasks,
        notes: null,
        stage: spec.stage,
        createdBy: keeper,
        createdAt,
        updatedAt: lastChange,
      })
      .returning({ id: partners.id });
    row.id = inserted!.id;
    await tx.insert(stageChanges).values(
      history.map((h) => ({ partnerId: row.id, fromStage: h.from, toStage: h.to, comment: h.comment, changedBy: keeper, changedAt: h.at })),
    );
    counts.partners++;

    // Contacts: the spec's, and for some a second one.
    const domain = `${latin(normalisePartnerName(spec.shortName)).slice(0, 24) || "partner"}.example`;
    const specContacts: DemoContactSpec[] = [...spec.contacts];
    if (specContacts.length === 1 && random.chance(0.35) && surnamesLeft.length > 0) {
      const female = random.chance(0.6);
      const surname = surnamesLeft.splice(random.int(0, surnamesLeft.length - 1), 1)[0]!;
      const last = female ? (/(ых|их)$/.test(surname) ? surname : `${surname}а`) : surname;
      const first = random.pick(female ? NAME_POOL.femaleFirst : NAME_POOL.maleFirst);
      const patronymic = random.pick(NAME_POOL.patronymics)[female ? 1 : 0];
      specContacts.push({ fullName: `${last} ${first} ${patronymic}`, position: SECOND_CONTACT_POSITIONS[spec.type] });
    }
    for (const c of specContacts) {
      const recordedAt = later(createdAt, random.int(1, 20) * DAY);
      const [surname, first] = c.fullName.split(" ") as [string, string];
      const email = c.linked ? `${latin(c.linked.firstName)}.${latin(c.linked.lastName)}@${domain}` : `${latin(surname)}.${latin(first).slice(0, 1)}@${domain}`;
      if (c.pending) {
        await tx.insert(contacts).values({
          partnerId: row.id, fullName: c.fullName, position: c.position, consentBasis: "bot", consentRecordedBy: keeper,
          consentRecordedAt: daysAgo(random.int(3, 20)), createdAt: daysAgo(random.int(21, 25)), updatedAt: daysAgo(random.int(3, 20)),
        });
      } else if (c.linked) {
        const linkedAt = earliest(later(recordedAt, random.int(5, 40) * DAY), later(now, -30 * DAY));
        const [user] = await tx
          .insert(users)
          .values({
            telegramId: DEMO_TELEGRAM_IDS.contacts + linkedCount,
            firstName: c.linked.firstName,
            lastName: c.linked.lastName,
            telegramLanguage: c.linked.language,
            language: c.linked.language,
            role: "partner",
            status: "active",
            createdAt: linkedAt,
            updatedAt: linkedAt,
          })
          .returning({ id: users.id });
        linkedCount++;
        const [contact] = await tx
          .insert(contacts)
          .values({
            partnerId: row.id, fullName: c.fullName, position: c.position, phone: phoneOf(random, true), email,
            userId: user!.id, consentBasis: "bot", consentRecordedBy: user!.id, consentRecordedAt: linkedAt, createdAt: recordedAt, updatedAt: linkedAt,
          })
          .returning({ id: contacts.id });
        row.linked.push({ contactId: contact!.id, userId: user!.id });
      } else {
        await tx.insert(contacts).values({
          partnerId: row.id, fullName: c.fullName, position: c.position, phone: phoneOf(random, random.chance(0.4)), email,
          consentBasis: "paper", consentRecordedBy: keeper, consentRecordedAt: recordedAt, createdAt: recordedAt, updatedAt: recordedAt,
        });
      }
      counts.contacts++;
    }
    partnerRows.push(row);
  }

  // Agreements and joint plans; the events that carry plan items out.
  const planned: PlannedEvent[] = [];
  const usedTitles = new Map<number, Set<string>>();
  const ideaFor = (row: PartnerRow, format?: EventFormat): { format: EventFormat; title: string; description: string; focus: Focus } => {
    const used = usedTitles.get(row.id) ?? new Set<string>();
    usedTitles.set(row.id, used);
    const formats = format ? [format] : EVENT_FORMATS;
    const fitting = formats.flatMap((f) => EVENT_IDEAS[f].filter((i) => row.spec.focuses.includes(i.focus)).map((i) => ({ ...i, format: f })));
    const fresh = fitting.filter((i) => !used.has(i.title));
    const pool = fresh.length > 0 ? fresh : fitting.length > 0 ? fitting : formats.flatMap((f) => EVENT_IDEAS[f].map((i) => ({ ...i, format: f })));
    const idea = random.pick(pool);
    used.add(idea.title);
    return idea;
  };
  const responsibleFor = (row: PartnerRow) => {
    const team = row.ownerUnitId !== null ? staffOfUnit(row.ownerUnitId) : [];
    return team.length > 0 && random.chance(0.5) ? random.pick(team) : row.keeper;
  };
  let agreementNumber = 0;
  let openEnded = 0;
  let endingSoon = 0;
  for (const row of partnerRows) {
    if (!row.signedOn) continue;
    agreementNumber++;
    const sf = row.spec.stage === "system_forming";
    let validTo: string | null;
    if (sf && endingSoon < 2 && random.chance(0.25)) validTo = addDays(today, [12, 26][endingSoon++]!);
    else if (sf && openEnded < 3 && random.chance(0.3)) {
      openEnded++;
      validTo = null;
    } else {
      let years = sf ? 3 : 2;
      while (addDays(row.signedOn, 365 * years) < addDays(today, 45)) years++;
      validTo = addDays(row.signedOn, 365 * years);
    }
    const [agreement] = await tx
      .insert(agreements)
      .values({
        partnerId: row.id,
        number: `${agreementNumber}/СП-${row.signedOn.slice(0, 4)}`,
        signedOn: row.signedOn,
        validFrom: row.signedOn,
        validTo,
        subject: AGREEMENT_SUBJECTS[row.spec.focuses[0]!],
        createdBy: row.keeper,
        createdAt: at(row.signedOn, 16),
        updatedAt: at(row.signedOn, 16),
      })
      .returning({ id: agreements.id });
    counts.agreements++;
    const offsets = sf
      ? [-random.int(240, 290), -random.int(150, 200), -random.int(60, 110), -random.int(12, 30), random.int(20, 60)]
      : [Math.floor((at(row.signedOn, 12).getTime() - now.getTime()) / DAY) + random.int(20, 35), random.int(25, 45), random.int(70, 110)];
    for (const offset of offsets) {
      let day = addDays(today, offset);
      if (day <= addDays(row.signedOn, 7)) continue;
      const monthOnly = random.chance(0.3) && offset > 0;
      if (monthOnly) day = `${day.slice(0, 7)}-01`;
      const idea = ideaFor(row);
      const responsible = responsibleFor(row);
      const [item] = await tx
        .insert(planItems)
        .values({
          agreementId: agreement!.id, title: idea.title, format: idea.format, plannedOn: day, plannedMonthOnly: monthOnly,
          responsibleUserId: responsible, createdAt: at(row.signedOn, 17),
        })
        .returning({ id: planItems.id });
      counts.planItems++;
      const base = { partners: [row], format: idea.format, title: idea.title, description: idea.description, planItemId: item!.id, responsibleUserId: responsible, focus: idea.focus };
      if (offset < -3) {
        // Past: most were held on their date, some were cancelled, some never happened (overdue).
        const fate = random.weighted([["held", 0.74], ["cancelled", 0.08], ["none", 0.18]] as const);
        if (fate === "none") continue;
        planned.push({ ...base, startsAt: at(day, random.pick([10, 11, 14, 15, 16])), status: fate });
      } else if (offset > 0 && !monthOnly && random.chance(0.6)) {
        planned.push({ ...base, startsAt: at(day, random.pick([10, 11, 14, 15]), 0, true), status: random.chance(0.6) ? "approved" : "proposed" });
      }
    }
  }

  // Events outside the plans: every format held at least once, and every status.
  const active = partnerRows.filter((r) => r.spec.stage !== "preparatory");
  const partnerForFormat = (format: EventFormat, pool: PartnerRow[]) => {
    const fitting = pool.filter((r) => EVENT_IDEAS[format].some((i) => r.spec.focuses.includes(i.focus)));
    return random.pick(fitting.length > 0 ? fitting : pool);
  };
  const extra = (pool: PartnerRow[], status: EventStatus, startsAt: Date, format: EventFormat = random.pick(EVENT_FORMATS)) => {
    const row = partnerForFormat(format, pool);
    const idea = ideaFor(row, format);
    const second = random.chance(0.12) ? random.pick(active.filter((r) => r !== row)) : undefined;
    planned.push({
      partners: second ? [row, second] : [row], format, title: idea.title, description: idea.description, startsAt, status,
      planItemId: null, responsibleUserId: responsibleFor(row), focus: idea.focus,
    });
  };
  const hour = () => random.pick([10, 11, 14, 15, 16]);
  for (const format of EVENT_FORMATS) extra(active, "held", at(addDays(today, -random.int(15, 330)), hour()), format);
  const early = partnerRows.filter((r) => r.spec.stage === "preparatory" && !r.spec.noMotivation);
  extra(early, "held", at(addDays(today, -random.int(8, 60)), hour()), "consultation");
  extra(early, "held", at(addDays(today, -random.int(60, 200)), hour()), "meeting_interesting_people");
  // Recent and coming events with partners whose contacts use the bot: their surveys and calendars are not empty.
  const connected = partnerRows.filter((r) => r.linked.length > 0);
  extra(connected, "held", at(addDays(today, -random.int(3, 6)), hour()));
  extra(connected, "held", at(addDays(today, -random.int(8, 12)), hour()));
  extra(active, "cancelled", at(addDays(today, -random.int(40, 200)), hour()));
  extra(active, "rejected", at(addDays(today, -random.int(30, 150)), hour()));
  extra(active, "rejected", at(addDays(today, random.int(20, 40)), hour(), 0, true));
  extra(active, "approved", at(addDays(today, -1), 11));
  extra(active, "approved", at(addDays(today, -3), 15));
  extra(connected, "approved", at(addDays(today, 1), 15, 0, true));
  extra(connected, "approved", at(addDays(today, random.int(2, 6)), hour(), 0, true));
  extra(connected, "approved", at(addDays(today, random.int(8, 13)), hour(), 0, true));
  extra(partnerRows, "proposed", at(addDays(today, random.int(5, 12)), hour(), 0, true));
  extra(partnerRows, "proposed", at(addDays(today, random.int(15, 30)), hour(), 0, true));
  extra(active, "changes_requested", at(addDays(today, random.int(10, 25)), hour(), 0, true));
  planned.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());

  // Events with their decisions, answers, outcomes and feedback.
  const MINUTES: Record<EventFormat, number> = {
    project: 120, joint_event: 120, meeting_interesting_people: 60, consultation: 60, round_table: 90, master_class: 90, excursion: 120, contest: 180, exhibition: 120, other: 60,
  };
  const EXPECTED: Record<EventFormat, [number, number]> = {
    project: [10, 25], joint_event: [60, 150], meeting_interesting_people: [20, 40], consultation: [8, 20], round_table: [15, 30],
    master_class: [12, 25], excursion: [15, 25], contest: [40, 80], exhibition: [50, 180], other: [30, 80],
  };
  for (const [index, plan] of planned.entries()) {
    const lead = plan.partners[0]!;
    const endsAt = later(plan.startsAt, MINUTES[plan.format] * 60_000);
    const audience = plan.partners.map((p) => p.spec.audience).find(Boolean);
    const categories: AudienceCategory[] =
      audience === "disabilities" ? ["disabilities", "general"]
        : audience === "career" ? ["career_guidance"]
          : audience === "gifted" || plan.format === "contest" ? ["gifted", "general"]
            : ["general"];
    const [ageFrom, ageTo] = categories.includes("career_guidance") ? [14, 17] : plan.format === "contest" ? [10, 17] : random.pick([[7, 11], [7, 14], [10, 14], [11, 16]] as const);
    const expected = random.int(...EXPECTED[plan.format]);
    const atPartner = `${lead.spec.shortName}, ${lead.spec.address.replace(/^г\. Иркутск, /, "")}`;
    const hosts = ["business", "science_centre", "culture_organisation", "university", "college"].includes(lead.spec.type);
    const place =
      plan.format === "excursion" ? (hosts ? atPartner : "Сбор у главного входа Дворца творчества")
        : random.chance(0.3) ? atPartner
          : plan.focus === "technical" ? PLACES_AT_PALACE[4]!
            : /танц|хореограф/i.test(plan.title) ? PLACES_AT_PALACE[3]!
              : plan.format === "exhibition" ? PLACES_AT_PALACE[1]!
                : random.pick([PLACES_AT_PALACE[0]!, PLACES_AT_PALACE[2]!]);
    const past = plan.startsAt < now;
    const createdAt = past
      ? later(plan.startsAt, -random.int(12, 30) * DAY)
      : plan.status === "proposed"
        ? later(now, -random.int(2, 90) * HOUR)
        : later(now, -random.int(3, 12) * DAY);
    const decidingUnit = lead.decidingUnit;
    const decider = adminId !== undefined && index % 5 === 0 ? adminId : heads.get(decidingUnit)!;
    const decidedAt = later(createdAt, random.int(20, 60) * HOUR);
    const held = plan.status === "held";
    const recordedAt = later(endsAt, random.int(1, 20) * HOUR);
    const participants = held ? splitParticipants(random, categories, Math.max(3, Math.round(expected * (0.75 + random.next() * 0.35)))) : undefined;
    const level: EventLevel = plan.partners.some((p) => INTERNATIONAL_PARTNERS.has(p.spec.shortName))
      ? "international"
      : marks.weighted(LEVELS_BY_TITLE[plan.title] ?? LEVELS_BY_FORMAT[plan.format]);
    const competition = plan.format === "contest" || COMPETITIONS.has(plan.title);
    // A held competition's results among the institution's students: a few winners and prize-winners,
    // never more than took part; a held project's students of the institution, most of those who came.
    const results = held && participants && competition ? resultsOf(marks, participants.total) : undefined;
    const projectStudents = held && participants && plan.format === "project" ? Math.max(1, Math.round(participants.total * (0.5 + marks.next() * 0.4))) : undefined;
    const updatedAt = held ? recordedAt : plan.status === "proposed" ? createdAt : plan.status === "cancelled" ? later(plan.startsAt, -random.int(1, 4) * DAY) : decidedAt;
    const [event] = await tx
      .insert(events)
      .values({
        title: plan.title,
        description: plan.description,
        format: plan.format,
        startsAt: plan.startsAt,
        endsAt,
        place,
        ageFrom,
        ageTo,
        categories,
        expectedParticipants: expected,
        responsibleUserId: plan.responsibleUserId,
        ownerUnitId: decidingUnit,
        planItemId: plan.planItemId,
        status: plan.status,
        level,
        competition,
        proposedBy: plan.responsibleUserId,
        ...(participants
          ? {
              participantsGifted: participants.gifted,
              participantsDisabilities: participants.disabilities,
              participantsCareerGuidance: participants.careerGuidance,
              participantsOther: participants.other,
              result: random.pick(RESULTS[plan.format]),
            }
          : {}),
        ...(results ?? {}),
        ...(projectStudents !== undefined ? { projectStudents } : {}),
        ...(plan.status === "cancelled" ? { cancelReason: random.pick(CANCEL_REASONS) } : {}),
        createdAt,
        updatedAt,
      })
      .returning({ id: events.id });
    const eventId = event!.id;
    counts.events++;
    await tx.insert(eventPartners).values(plan.partners.map((p) => ({ eventId, partnerId: p.id })));
    if (plan.status !== "proposed") {
      const decision = plan.status === "rejected" ? "rejected" : plan.status === "changes_requested" ? "changes_requested" : "approved";
      const comment = decision === "rejected" ? random.pick(REJECT_COMMENTS) : decision === "changes_requested" ? CHANGES_COMMENT : random.pick(APPROVE_COMMENTS);
      await tx.insert(eventDecisions).values({ eventId, decision, comment, decidedBy: decider, decidedAt });
      if (decision === "approved") {
        const linked = plan.partners.flatMap((p) => p.linked);
        const answers = linked
          .map((l) => ({ l, answeredAt: later(decidedAt, random.int(2, 30) * HOUR) }))
          .filter(({ answeredAt }) => answeredAt < now && answeredAt < plan.startsAt);
        if (answers.length > 0) {
          await tx.insert(eventConfirmations).values(
            answers.map(({ l, answeredAt }) => {
              const otherTime = random.chance(0.08);
              return { eventId, contactId: l.contactId, answer: otherTime ? "other_time" : "confirmed", comment: otherTime ? "Нам удобнее начать на час позже." : null, answeredAt } as const;
            }),
          );
        }
      }
    }
    if (held) counts.feedback += await feedbackOf(tx, random, { eventId, recordedAt, now, linked: plan.partners.flatMap((p) => p.linked.map((l) => ({ ...l, partnerId: p.id }))), categories, ages: [ageFrom, ageTo], attendance: participants!.total });
  }

  // The interaction log: how each partnership got where it is.
  for (const row of partnerRows) {
    const focus = FOCUS_GENITIVE[row.spec.focuses[0]!];
    const entries: { kind: keyof typeof INTERACTION_TEXTS; on: Date }[] = [
      { kind: random.pick(["negotiation", "letter"] as const), on: later(row.createdAt, random.int(0, 5) * DAY) },
    ];
    if (row.spec.stage === "preparatory") {
      if (random.chance(0.6)) entries.push({ kind: random.pick(["call", "negotiation"] as const), on: later(row.createdAt, random.int(6, 40) * DAY) });
    } else {
      entries.push({ kind: "agreeing_positions", on: later(row.organisationalAt!, random.int(3, 15) * DAY) });
      entries.push({ kind: "document_drafted", on: row.signedOn ? later(at(row.signedOn, 12), -random.int(5, 12) * DAY) : later(row.organisationalAt!, random.int(16, 40) * DAY) });
      if (row.spec.stage === "system_forming") {
        entries.push({ kind: "meeting", on: daysAgo(random.int(10, 150)) });
        entries.push({ kind: random.pick(["call", "expert_assessment", "other"] as const), on: daysAgo(random.int(30, 300)) });
        if (random.chance(0.5)) entries.push({ kind: random.pick(["meeting", "call", "letter"] as const), on: daysAgo(random.int(160, 350)) });
      } else if (random.chance(0.5)) entries.push({ kind: "call", on: daysAgo(random.int(2, 20)) });
    }
    const values = entries
      .filter((e) => e.on < now && e.on >= row.createdAt)
      .map((e) => {
        const day = dayOf(e.on);
        return {
          partnerId: row.id,
          kind: e.kind,
          occurredOn: day,
          text: random.pick(INTERACTION_TEXTS[e.kind]).replace("{focus}", focus),
          authorId: row.keeper,
          createdAt: earliest(at(day, 18), now),
        };
      });
    if (values.length > 0) await tx.insert(interactions).values(values);
    counts.interactions += values.length;
  }
  return counts;
}

/** A held competition's winners and prize-winners among the institution's students: together at most those who took part. */
function resultsOf(random: Random, participants: number): { winners: number; prizeWinners: number } {
  const winners = Math.min(participants, random.int(1, 3));
  const prizeWinners = Math.min(participants - winners, random.int(2, 6));
  return { winners, prizeWinners };
}

type AgeGroup = "7_10" | "11_14" | "15_17" | "18_plus";

function splitParticipants(random: Random, categories: AudienceCategory[], total: number) {
  const part = (share: number) => Math.round(total * share);
  const gifted = categories.includes("gifted") ? part(0.2 + random.next() * 0.3) : 0;
  const disabilities = categories.includes("disabilities") ? part(0.3 + random.next() * 0.3) : 0;
  const careerGuidance = categories.includes("career_guidance") ? part(0.7 + random.next() * 0.3) : 0;
  const other = Math.max(0, total - gifted - disabilities - careerGuidance);
  return { gifted, disabilities, careerGuidance, other, total: gifted + disabilities + careerGuidance + other };
}

/** The feedback round of a held event: partner contacts' answers and participants' anonymous ones. */
async function feedbackOf(
  tx: Tx,
  random: Random,
  input: {
    eventId: number;
    recordedAt: Date;
    now: Date;
    linked: { contactId: number; userId: number; partnerId: number }[];
    categories: AudienceCategory[];
    ages: readonly [number, number];
    attendance: number;
  },
): Promise<number> {
  const { eventId, recordedAt: openedAt, now } = input;
  const promptsCloseAt = new Date(openedAt.getTime() + PROMPT_DAYS * DAY);
  const linkClosesAt = new Date(openedAt.getTime() + LINK_DAYS * DAY);
  await tx.insert(feedbackRounds).values({
    eventId,
    token: random.bytes(16).toString("base64url"),
    openedAt,
    linkClosesAt,
    promptsCloseAt,
    summarySentAt: promptsCloseAt.getTime() + 10 * 60_000 < now.getTime() ? new Date(promptsCloseAt.getTime() + 10 * 60_000) : null,
  });
  let answers = 0;
  const until = Math.min(now.getTime(), promptsCloseAt.getTime());
  const rating = () => random.weighted([[5, 50], [4, 34], [3, 11], [2, 4], [1, 1]] as const);
  const remindersBefore = (end: number) => REMINDER_DAYS.filter((d) => openedAt.getTime() + d * DAY < end);
  for (const l of input.linked) {
    const closed = promptsCloseAt < now;
    const window = until - openedAt.getTime() - HOUR;
    const answered = window > 0 && random.chance(closed ? 0.8 : 0.55);
    const answeredAt = answered ? new Date(openedAt.getTime() + HOUR + Math.floor(random.next() * Math.min(window, 6 * DAY))) : null;
    const reminders = remindersBefore(answeredAt?.getTime() ?? until);
    const lastReminded = reminders.length > 0 ? new Date(openedAt.getTime() + reminders[reminders.length - 1]! * DAY) : null;
    const value = answered ? rating() : null;
    await tx.insert(feedbackPrompts).values({
      eventId,
      partnerId: l.partnerId,
      contactId: l.contactId,
      userId: l.userId,
      createdAt: openedAt,
      rating: value,
      followUp: value === null ? null : value >= 4 ? random.weighted([["yes", 85], ["maybe", 15]] as const) : value === 3 ? "maybe" : "no",
      wentWell: value !== null && value >= 3 && random.chance(0.6) ? random.pick(PARTNER_WENT_WELL) : null,
      improve: value === null ? null : value <= 2 ? random.pick(PARTNER_LOW_IMPROVE) : random.chance(0.35) ? random.pick(PARTNER_IMPROVE) : null,
      answeredAt,
      updatedAt: answeredAt ? new Date(answeredAt.getTime() + 2 * 60_000) : null,
      remindersSent: reminders.length,
      lastRemindedAt: lastReminded,
      alertedAt: value !== null && value <= 2 ? new Date(Math.min(answeredAt!.getTime() + 3 * 60_000, now.getTime())) : null,
    });
    if (value !== null) answers++;
  }
  // Participants answer while the link is open.
  const linkUntil = Math.min(now.getTime(), linkClosesAt.getTime()) - 10 * 60_000;
  if (linkUntil <= openedAt.getTime()) return answers;
  const n = Math.min(input.attendance, random.int(4, 16));
  const rows = [];
  for (let i = 0; i < n; i++) {
    const createdAt = new Date(openedAt.getTime() + Math.floor(random.next() * Math.min(linkUntil - openedAt.getTime(), 3 * DAY)));
    const value = random.weighted([[5, 55], [4, 30], [3, 10], [2, 3], [1, 2]] as const);
    const comment = value <= 2 ? random.pick(PARTICIPANT_LOW_COMMENTS) : random.chance(0.4) ? random.pick(PARTICIPANT_COMMENTS) : null;
    const role = random.weighted([["student", 60], ["parent", 27], ["teacher", 10], ["other", 3]] as const);
    const [from, to] = input.ages;
    const childGroup: AgeGroup = to <= 10 ? "7_10" : from >= 14 ? "15_17" : from >= 11 ? "11_14" : random.pick(["7_10", "11_14"] as const);
    const ageGroup: AgeGroup = role === "student" ? childGroup : "18_plus";
    const answeredMore = comment !== null || random.chance(0.7);
    rows.push({
      eventId,
      voterHash: random.bytes(32).toString("hex"),
      rating: value,
      comment,
      role: answeredMore ? role : null,
      ageGroup: answeredMore ? ageGroup : null,
      createdAt,
      updatedAt: answeredMore ? new Date(createdAt.getTime() + 60_000) : null,
      alertedAt: value <= 2 ? new Date(Math.min(createdAt.getTime() + 2 * 60_000, now.getTime())) : null,
    });
  }
  await tx.insert(participantFeedback).values(rows);
  return answers + rows.length;
}
