// The playground's web chat: a Telegram-like page for one person of the Bot API emulator at a time.
// Plain browser JavaScript, no build step. The bot's HTML is never given to innerHTML: it is parsed
// in an inert document and rebuilt node by node from Telegram's few tags.
"use strict";

(() => {
  const TEXTS = {
    ru: {
      bot: "бот",
      typing: "печатает…",
      uploadPhoto: "отправляет фото…",
      uploadDocument: "отправляет файл…",
      connecting: "соединение…",
      uploading: "отправка файла…",
      choosePerson: "Собеседник",
      newPersonOption: "+ Новый человек…",
      nobody: "— выберите —",
      newPersonTitle: "Новый человек",
      openAsTitle: "Открыть ссылку как",
      openAsHint: "Приглашение или ссылку на согласие обычно открывает другой человек: выберите, кто именно.",
      openAsNew: "Новый человек…",
      open: "Открыть",
      firstName: "Имя",
      lastName: "Фамилия",
      language: "Язык Telegram",
      create: "Создать",
      cancel: "Отмена",
      placeholder: "Сообщение",
      menu: "Меню",
      demo: "Демо-данные",
      demoRunning: "Заполняю…",
      demoDone: "Демо-данные",
      sendPhoto: "Отправить как фото",
      sendFile: "Отправить как файл",
      send: "Отправить",
      caption: "Подпись",
      edited: "изменено",
      start: "Начать",
      emptyChat: "Это чат с ботом. Нажмите «Начать», чтобы поговорить с ним.",
      noPerson: "Выберите, от чьего имени писать боту, или создайте нового человека.",
      newPerson: "Новый человек",
      tooBig: "Файл больше 50 МБ: Telegram не даёт отправить такой.",
      offline: "Нет связи с сервером песочницы. Он запущен?",
      error: "Не получилось",
      personGone: "Этого человека больше нет в песочнице.",
      unsupported: "В песочнице эта кнопка не работает",
      copied: "Скопировано",
      attach: "Прикрепить файл",
      sendButton: "Отправить",
      keyboard: "Клавиатура бота",
      today: "Сегодня",
      switchTo: "EN",
      switchTitle: "Switch to English",
      title: "Песочница",
    },
    en: {
      bot: "bot",
      typing: "typing…",
      uploadPhoto: "sending a photo…",
      uploadDocument: "sending a file…",
      connecting: "connecting…",
      uploading: "uploading…",
      choosePerson: "Chat as",
      newPersonOption: "+ New person…",
      nobody: "— choose —",
      newPersonTitle: "New person",
      openAsTitle: "Open the link as",
      openAsHint: "An invite or a consent link is usually opened by someone else: choose who.",
      openAsNew: "New person…",
      open: "Open",
      firstName: "First name",
      lastName: "Last name",
      language: "Telegram language",
      create: "Create",
      cancel: "Cancel",
      placeholder: "Message",
      menu: "Menu",
      demo: "Demo data",
      demoRunning: "Seeding…",
      demoDone: "Demo data",
      sendPhoto: "Send as a photo",
      sendFile: "Send as a file",
      send: "Send",
      caption: "Caption",
      edited: "edited",
      start: "Start",
      emptyChat: "This is a chat with the bot. Press Start to talk to it.",
      noPerson: "Choose whom you chat with the bot as, or create a new person.",
      newPerson: "New person",
      tooBig: "The file is larger than 50 MB: Telegram does not let a person send it.",
      offline: "No connection to the playground's server. Is it running?",
      error: "That did not work",
      personGone: "This person is no longer in the playground.",
      unsupported: "This button does not work in the playground",
      copied: "Copied",
      attach: "Attach a file",
      sendButton: "Send",
      keyboard: "The bot's keyboard",
      today: "Today",
      switchTo: "RU",
      switchTitle: "Переключить на русский",
      title: "Playground",
    },
  };

  const $ = (id) => document.getElementById(id);
  const ui = {
    botName: $("bot-name"),
    botAvatar: $("bot-avatar"),
    status: $("status"),
    demo: $("demo-button"),
    picker: $("person-picker"),
    pickerLabel: $("picker-label"),
    lang: $("lang-switch"),
    banner: $("banner"),
    bannerText: $("banner-text"),
    bannerClose: $("banner-close"),
    messages: $("messages"),
    commandList: $("command-list"),
    replyKeyboard: $("reply-keyboard"),
    menu: $("menu-button"),
    attach: $("attach-button"),
    input: $("message-input"),
    keyboardToggle: $("keyboard-toggle"),
    send: $("send-button"),
    file: $("file-input"),
    personDialog: $("person-dialog"),
    personForm: $("person-form"),
    openAsDialog: $("open-as-dialog"),
    openAsPicker: $("open-as-picker"),
    alertDialog: $("alert-dialog"),
    alertText: $("alert-text"),
    attachDialog: $("attach-dialog"),
    attachName: $("attach-name"),
    attachCaption: $("attach-caption"),
    toast: $("toast"),
    lightbox: $("lightbox"),
    lightboxImage: $("lightbox-image"),
  };

  const state = {
    lang: pickLanguage(),
    bot: { id: 0, username: "", first_name: "" },
    demo: false,
    defaultPersonId: null,
    maxUpload: 50 * 1024 * 1024,
    people: [],
    personId: null,
    /** message_id → ChatMessage of the current chat */
    messages: new Map(),
    loaded: false,
    commands: [],
    source: null,
    /** ChatEvents that came while the history was loading: applied over it. */
    pending: null,
    generation: 0,
    typingTimer: 0,
    action: "",
    connected: true,
    keyboardHiddenFor: null,
    commandIndex: -1,
    commandMode: "",
    /** The chat is scrolled to its end: new messages, loaded images and a shorter chat keep it there. */
    atBottom: true,
    toastTimer: 0,
    bannerTimer: 0,
  };
  /** key → { members, el } of rendered blocks, reused while their messages stay the same objects */
  let rendered = new Map();

  function pickLanguage() {
    const saved = localStorage.getItem("playground.lang");
    if (saved === "ru" || saved === "en") return saved;
    const langs = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || "ru"];
    for (const lang of langs) {
      const code = String(lang).toLowerCase().slice(0, 2);
      if (code === "ru" || code === "en") return code;
    }
    return "en";
  }

  const t = (key) => TEXTS[state.lang][key] ?? TEXTS.en[key] ?? key;

  // --- the server --------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  async function api(method, path, body, headers) {
    let response;
    try {
      const init = { method, headers: { ...headers } };
      if (body !== undefined) {
        if (body instanceof Blob) init.body = body;
        else {
          init.body = JSON.stringify(body);
          init.headers["Content-Type"] = "application/json";
        }
      }
      response = await fetch(path, init);
    } catch {
      throw new ApiError(0, t("offline"));
    }
    let data;
    try {
      data = await response.json();
    } catch {
      data = null;
    }
    if (!response.ok) throw new ApiError(response.status, (data && data.error) || response.statusText);
    return data;
  }

  const personPath = (suffix) => `/api/people/${state.personId}/${suffix}`;

  // --- start --------------------------------------------------------------------------------

  async function boot() {
    applyTexts();
    bindEvents();
    try {
      const info = await api("GET", "/api/info");
      state.bot = info.bot;
      state.demo = info.demo;
      state.defaultPersonId = info.defaultPersonId;
      state.maxUpload = info.maxUploadBytes || state.maxUpload;
      applyTexts();
      await loadPeople();
    } catch (error) {
      showError(error);
      render();
      return;
    }
    const fromUrl = Number(new URLSearchParams(location.search).get("as"));
    const saved = Number(localStorage.getItem("playground.as"));
    const known = (id) => Number.isInteger(id) && id !== 0 && state.people.some((p) => p.id === id);
    const first = [fromUrl, saved, state.defaultPersonId].find(known) ?? (state.people.length === 1 ? state.people[0].id : null);
    if (first !== null && first !== undefined) selectPerson(first);
    else render();
  }

  async function loadPeople() {
    const { people } = await api("GET", "/api/people");
    // An open picker is not rebuilt under the mouse unless someone new is there.
    if (JSON.stringify(people) === JSON.stringify(state.people) && ui.picker.options.length) return;
    state.people = people;
    renderPicker();
  }

  function selectPerson(id) {
    state.personId = id;
    state.generation += 1;
    state.messages = new Map();
    state.loaded = false;
    state.commands = [];
    state.keyboardHiddenFor = null;
    rendered = new Map();
    localStorage.setItem("playground.as", String(id));
    const params = new URLSearchParams(location.search);
    params.set("as", String(id));
    history.replaceState(null, "", `${location.pathname}?${params}${location.hash}`);
    renderPicker();
    setAction("");
    render();
    connect();
    void loadCommands();
  }

  function connect() {
    if (state.source) state.source.close();
    const generation = state.generation;
    const source = new EventSource(personPath("events"));
    state.source = source;
    state.pending = [];
    source.onopen = () => {
      setConnected(true);
      void loadHistory(generation);
    };
    source.onmessage = (message) => {
      if (generation !== state.generation) return;
      let event;
      try {
        event = JSON.parse(message.data);
      } catch {
        return;
      }
      if (state.pending) state.pending.push(event);
      else applyEvent(event);
    };
    source.onerror = () => {
      if (generation !== state.generation) return;
      setConnected(false);
      state.pending = [];
      if (source.readyState === EventSource.CLOSED) void personGone(generation);
    };
  }

  async function personGone(generation) {
    try {
      await loadPeople();
    } catch (error) {
      showError(error);
    }
    if (generation !== state.generation) return;
    if (!state.people.some((p) => p.id === state.personId)) {
      showError(new ApiError(404, t("personGone")));
      state.personId = null;
      state.generation += 1;
      renderPicker();
      render();
    } else {
      setTimeout(() => generation === state.generation && connect(), 2000);
    }
  }

  async function loadHistory(generation) {
    try {
      const { messages } = await api("GET", personPath("history"));
      if (generation !== state.generation) return;
      state.messages = new Map(messages.map((m) => [m.message_id, m]));
      state.loaded = true;
      const pending = state.pending || [];
      state.pending = null;
      for (const event of pending) applyEvent(event, true);
      render(true);
    } catch (error) {
      if (generation === state.generation) {
        state.pending = null;
        showError(error);
      }
    }
  }

  async function loadCommands() {
    const generation = state.generation;
    try {
      const { commands } = await api("GET", personPath("commands"));
      if (generation !== state.generation) return;
      state.commands = commands;
      renderComposer();
    } catch (error) {
      showError(error);
    }
  }

  function applyEvent(event, quiet) {
    switch (event.type) {
      case "message":
      case "edit":
        state.messages.set(event.message.message_id, event.message);
        if (event.type === "message" && event.message.from === "bot") setAction("");
        break;
      case "delete":
        state.messages.delete(event.message_id);
        break;
      case "callback_answer":
        if (!quiet) {
          if (event.show_alert) showAlert(event.text);
          else showToast(event.text);
        }
        return;
      case "chat_action":
        if (!quiet) setAction(event.action);
        return;
      case "commands":
        state.commands = event.commands;
        renderComposer();
        return;
      default:
        return;
    }
    if (!quiet) render();
  }

  // --- actions ------------------------------------------------------------------------------

  async function sendText(text) {
    if (state.personId === null || !text.trim()) return false;
    try {
      const { message } = await api("POST", personPath("messages"), { text });
      state.messages.set(message.message_id, message);
      render(true);
      return true;
    } catch (error) {
      showError(error);
      return false;
    }
  }

  async function press(messageId, data, button) {
    button.classList.add("pending");
    setTimeout(() => button.classList.remove("pending"), 3000);
    try {
      await api("POST", personPath("press"), { message_id: messageId, data });
    } catch (error) {
      button.classList.remove("pending");
      showError(error);
    }
  }

  async function openStartLink(payload) {
    if (state.personId === null) return;
    try {
      const { message } = await api("POST", personPath("start"), { payload });
      state.messages.set(message.message_id, message);
      render(true);
    } catch (error) {
      showError(error);
    }
  }

  async function sendFile(file, asPhoto, caption) {
    if (file.size > state.maxUpload) {
      showError(new ApiError(413, t("tooBig")));
      return;
    }
    const params = new URLSearchParams({ name: file.name || "file", as: asPhoto ? "photo" : "file" });
    if (caption) params.set("caption", caption);
    ui.status.textContent = t("uploading");
    try {
      const { message } = await api("POST", `${personPath("files")}?${params}`, file, { "Content-Type": file.type || "application/octet-stream" });
      state.messages.set(message.message_id, message);
      render(true);
    } catch (error) {
      showError(error);
    } finally {
      renderStatus();
    }
  }

  async function seedDemo() {
    ui.demo.disabled = true;
    ui.demo.textContent = t("demoRunning");
    try {
      const result = await api("POST", "/api/demo");
      await loadPeople();
      showAlert(result.summary);
    } catch (error) {
      showError(error);
    } finally {
      ui.demo.disabled = false;
      ui.demo.textContent = t("demo");
    }
  }

  // --- links --------------------------------------------------------------------------------

  /** The payload of a link that opens this bot's chat ("" without one), or null for any other link. */
  function startPayload(href) {
    const bot = state.bot.username.toLowerCase();
    if (!bot) return null;
    const tg = /^tg:\/\/resolve\?(.*)$/i.exec(href);
    if (tg) {
      const params = new URLSearchParams(tg[1]);
      return (params.get("domain") || "").toLowerCase() === bot ? params.get("start") || "" : null;
    }
    let url;
    try {
      url = new URL(/^(t\.me|telegram\.me)\//i.test(href) ? `https://${href}` : href);
    } catch {
      return null;
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") return null;
    if (!/^(www\.)?(t\.me|telegram\.me|telegram\.dog)$/i.test(url.hostname)) return null;
    if (url.pathname.replace(/^\/+|\/+$/g, "").toLowerCase() !== bot) return null;
    return url.searchParams.get("start") || "";
  }

  function safeHref(href) {
    try {
      const url = new URL(/^(t\.me|telegram\.me)\//i.test(href) ? `https://${href}` : href);
      return url.protocol === "http:" || url.protocol === "https:" || url.protocol === "tg:" ? url.href : null;
    } catch {
      return null;
    }
  }

  /**
   * A start link with a payload (an invite, a consent or feedback link) is usually meant for
   * someone else, as a link forwarded in Telegram is: the page asks who opens it.
   */
  function chooseWhoOpens(payload) {
    const select = ui.openAsPicker;
    select.replaceChildren();
    for (const person of state.people) {
      select.append(new Option(personLabel(person), String(person.id)));
    }
    select.append(new Option(t("openAsNew"), "new"));
    select.value = state.personId === null ? "new" : String(state.personId);
    ui.openAsDialog.dataset.payload = payload;
    ui.openAsDialog.returnValue = "";
    ui.openAsDialog.showModal();
  }

  function openAs(choice, payload) {
    if (choice === "new") {
      state.startAfterCreate = payload;
      openPersonDialog();
      return;
    }
    const id = Number(choice);
    if (id !== state.personId) selectPerson(id);
    void openStartLink(payload);
  }

  function openLink(href) {
    const payload = startPayload(href);
    if (payload !== null) {
      if (payload) chooseWhoOpens(payload);
      else scrollToBottom();
      return;
    }
    const safe = safeHref(href);
    if (safe && !safe.startsWith("tg:")) window.open(safe, "_blank", "noopener,noreferrer");
  }

  function link(href, text) {
    const a = document.createElement("a");
    a.textContent = text;
    const payload = startPayload(href);
    if (payload !== null) {
      a.href = href.startsWith("tg:") ? href : safeHref(href);
      a.dataset.startPayload = payload;
      a.dataset.testid = "start-link";
    } else {
      a.href = safeHref(href);
      a.target = "_blank";
      a.rel = "noopener noreferrer";
    }
    return a;
  }

  // --- the bot's HTML -----------------------------------------------------------------------

  const TAGS = { B: "b", STRONG: "b", I: "i", EM: "i", U: "u", INS: "u", S: "s", STRIKE: "s", DEL: "s", CODE: "code", PRE: "pre", BLOCKQUOTE: "blockquote" };
  const LINKS = /(https?:\/\/[^\s<>"]+|(?<![\w@./])(?:t\.me|telegram\.me)\/[^\s<>"]+)|(?<![\w/])(\/[a-zA-Z][a-zA-Z0-9_]{0,31}(?:@[a-zA-Z0-9_]{3,32})?)(?![\w/@])/g;

  function renderHtml(html, commands) {
    const doc = new DOMParser().parseFromString(`<!doctype html><body>${html}`, "text/html");
    const fragment = document.createDocumentFragment();
    convert(doc.body, fragment, { link: false, code: false, commands });
    return fragment;
  }

  function convert(source, target, context) {
    for (const node of source.childNodes) {
      if (node.nodeType === Node.TEXT_NODE) {
        appendText(target, node.data, context);
        continue;
      }
      if (node.nodeType !== Node.ELEMENT_NODE) continue;
      const tag = node.tagName;
      let element = null;
      let inner = context;
      if (TAGS[tag]) {
        element = document.createElement(TAGS[tag]);
        if (tag === "CODE" || tag === "PRE") inner = { ...context, code: true };
        if (tag === "BLOCKQUOTE" && node.hasAttribute("expandable")) {
          element.classList.add("expandable");
          element.dataset.testid = "expandable-quote";
        }
      } else if (tag === "TG-SPOILER" || (tag === "SPAN" && node.classList.contains("tg-spoiler"))) {
        element = document.createElement("span");
        element.className = "spoiler";
        element.dataset.testid = "spoiler";
      } else if (tag === "A" && !context.link) {
        const href = node.getAttribute("href") || "";
        if (safeHref(href) || startPayload(href) !== null) {
          element = link(href, "");
          inner = { ...context, link: true };
        }
      }
      if (!element) {
        convert(node, target, context);
        continue;
      }
      convert(node, element, inner);
      target.appendChild(element);
    }
  }

  function appendText(target, text, context) {
    if (context.link || context.code) {
      target.appendChild(document.createTextNode(text));
      return;
    }
    let last = 0;
    for (const match of text.matchAll(LINKS)) {
      let [found] = match;
      if (match[2] && !context.commands) continue;
      if (match[2]) {
        const at = found.indexOf("@");
        if (at >= 0 && found.slice(at + 1).toLowerCase() !== state.bot.username.toLowerCase()) continue;
      } else {
        found = found.replace(/[.,;:!?)\]»"'…]+$/, "");
      }
      if (match.index > last) target.appendChild(document.createTextNode(text.slice(last, match.index)));
      if (match[2]) {
        const command = document.createElement("a");
        command.href = "#";
        command.className = "command";
        command.dataset.command = found;
        command.textContent = found;
        target.appendChild(command);
      } else {
        target.appendChild(link(found, found));
      }
      last = match.index + found.length;
    }
    if (last < text.length) target.appendChild(document.createTextNode(text.slice(last)));
  }

  // --- rendering ----------------------------------------------------------------------------

  function el(tag, className, testid) {
    const element = document.createElement(tag);
    if (className) element.className = className;
    if (testid) element.dataset.testid = testid;
    return element;
  }

  const fileUrl = (fileId, download) => `/api/files/${encodeURIComponent(fileId)}${download ? "?download=1" : ""}`;

  function formatSize(bytes) {
    const units = state.lang === "ru" ? ["Б", "КБ", "МБ", "ГБ"] : ["B", "KB", "MB", "GB"];
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit += 1;
    }
    const number = unit === 0 ? String(value) : value.toLocaleString(state.lang, { maximumFractionDigits: value < 10 ? 1 : 0 });
    return `${number} ${units[unit]}`;
  }

  const time = (date) => new Date(date * 1000).toLocaleTimeString(state.lang, { hour: "2-digit", minute: "2-digit" });
  const dayKey = (date) => new Date(date * 1000).toDateString();

  function dayLabel(date) {
    const day = new Date(date * 1000);
    if (day.toDateString() === new Date().toDateString()) return t("today");
    const sameYear = day.getFullYear() === new Date().getFullYear();
    return day.toLocaleDateString(state.lang, sameYear ? { day: "numeric", month: "long" } : { day: "numeric", month: "long", year: "numeric" });
  }

  function blocks() {
    const list = [...state.messages.values()].sort((a, b) => a.message_id - b.message_id);
    const result = [];
    let day = null;
    for (let i = 0; i < list.length; i += 1) {
      const message = list[i];
      const key = dayKey(message.date);
      if (key !== day) {
        day = key;
        result.push({ key: `day:${key}`, kind: "day", members: [], date: message.date });
      }
      if (message.media_group_id) {
        const members = [message];
        while (i + 1 < list.length && list[i + 1].media_group_id === message.media_group_id && list[i + 1].from === message.from) members.push(list[(i += 1)]);
        result.push({ key: `album:${message.media_group_id}`, kind: "album", members });
      } else {
        result.push({ key: `message:${message.message_id}`, kind: "message", members: [message] });
      }
    }
    return result;
  }

  function render(stickToBottom) {
    const container = ui.messages;
    const nearBottom = state.atBottom;
    if (state.personId === null) {
      rendered = new Map();
      container.replaceChildren(placeholder(t("noPerson"), t("newPerson"), "new-person-button", openPersonDialog));
    } else if (state.loaded && state.messages.size === 0) {
      rendered = new Map();
      container.replaceChildren(placeholder(t("emptyChat"), t("start"), "start-button", () => void sendText("/start")));
    } else {
      const next = new Map();
      const children = [];
      for (const block of blocks()) {
        const previous = rendered.get(block.key);
        const same = previous && previous.members.length === block.members.length && previous.members.every((m, i) => m === block.members[i]);
        const element = same ? previous.el : renderBlock(block);
        next.set(block.key, { members: block.members, el: element });
        children.push(element);
      }
      rendered = next;
      const current = [...container.children];
      if (current.length !== children.length || current.some((child, i) => child !== children[i])) {
        // Replacing the children empties the list for a moment, which scrolls it to the top:
        // someone reading older messages keeps their place.
        const top = container.scrollTop;
        container.replaceChildren(...children);
        container.scrollTop = top;
      }
    }
    // The composer first: a reply keyboard that appears makes the chat shorter.
    renderComposer();
    if (stickToBottom || nearBottom) scrollToBottom();
  }

  function scrollToBottom() {
    ui.messages.scrollTop = ui.messages.scrollHeight;
    state.atBottom = true;
  }

  function placeholder(text, label, testid, action) {
    const box = el("div", "placeholder", "placeholder");
    const p = el("p");
    p.textContent = text;
    const button = el("button", "placeholder-button", testid);
    button.type = "button";
    button.textContent = label;
    button.addEventListener("click", action);
    box.append(p, button);
    return box;
  }

  function renderBlock(block) {
    if (block.kind === "day") {
      const day = el("div", "day", "day");
      const chip = el("span");
      chip.textContent = dayLabel(block.date);
      day.appendChild(chip);
      return day;
    }
    const [first] = block.members;
    const row = el("div", `row from-${first.from}`, "message");
    row.dataset.messageId = String(first.message_id);
    row.dataset.from = first.from;
    const bubble = el("div", "bubble");
    row.appendChild(bubble);
    if (block.kind === "album") {
      row.dataset.album = first.media_group_id;
      row.dataset.messageIds = block.members.map((m) => m.message_id).join(" ");
      const photos = block.members.filter((m) => m.photo);
      if (photos.length) {
        const grid = el("div", `album n${Math.min(photos.length, 4)}`, "album");
        for (const m of photos) grid.appendChild(photo(m, true));
        bubble.appendChild(grid);
      }
      for (const m of block.members) if (m.document) bubble.appendChild(documentRow(m));
    } else {
      if (first.photo) bubble.appendChild(photo(first, false));
      if (first.document) bubble.appendChild(documentRow(first));
    }
    const captioned = block.members.find((m) => m.html || m.text);
    if (captioned) {
      const text = el("div", "text", "message-text");
      if (captioned.html) text.appendChild(renderHtml(captioned.html, first.from === "bot"));
      else appendText(text, captioned.text, { commands: first.from === "bot" });
      bubble.appendChild(text);
    } else {
      bubble.classList.add("media-only");
    }
    if (first.photo && !captioned) bubble.classList.add("photo-only");
    const meta = el("span", "meta");
    if (block.members.some((m) => m.edit_date)) {
      const edited = el("span", "edited", "edited");
      edited.textContent = t("edited");
      meta.appendChild(edited);
    }
    const when = el("time");
    when.dateTime = new Date(first.date * 1000).toISOString();
    when.textContent = time(first.date);
    meta.appendChild(when);
    bubble.appendChild(meta);
    for (const m of block.members) if (m.reply_markup && m.reply_markup.inline_keyboard && m.reply_markup.inline_keyboard.length) row.appendChild(inlineKeyboard(m));
    if (row.querySelector(".inline-keyboard")) row.classList.add("has-keyboard");
    return row;
  }

  function photo(message, tile) {
    const image = el("img", tile ? "photo tile" : "photo", "photo");
    image.src = fileUrl(message.photo.file_id);
    image.alt = message.text || "";
    image.loading = "lazy";
    image.dataset.itemId = String(message.message_id);
    if (!tile && message.photo.width && message.photo.height) {
      image.width = message.photo.width;
      image.height = message.photo.height;
      image.style.aspectRatio = `${message.photo.width} / ${message.photo.height}`;
    }
    return image;
  }

  function documentRow(message) {
    const doc = message.document;
    const row = el("a", "document", "document");
    row.href = fileUrl(doc.file_id, true);
    row.download = doc.file_name;
    row.dataset.itemId = String(message.message_id);
    const icon = el("span", "document-icon");
    const ext = /\.([a-z0-9]{1,4})$/i.exec(doc.file_name);
    icon.textContent = ext ? ext[1].toLowerCase() : "file";
    const info = el("span", "document-info");
    const name = el("span", "document-name", "document-name");
    name.textContent = doc.file_name;
    const size = el("span", "document-size", "document-size");
    size.textContent = formatSize(doc.file_size);
    info.append(name, size);
    row.append(icon, info);
    return row;
  }

  function inlineKeyboard(message) {
    const keyboard = el("div", "inline-keyboard", "inline-keyboard");
    keyboard.dataset.messageId = String(message.message_id);
    for (const buttons of message.reply_markup.inline_keyboard) {
      const row = el("div", "keyboard-row");
      for (const b of buttons) {
        const button = el("button", "inline-button", "inline-button");
        button.type = "button";
        button.textContent = b.text;
        if (typeof b.callback_data === "string") {
          button.dataset.callbackData = b.callback_data;
          button.addEventListener("click", () => void press(message.message_id, b.callback_data, button));
        } else if (typeof b.url === "string") {
          button.classList.add("url");
          button.dataset.url = b.url;
          button.addEventListener("click", () => openLink(b.url));
        } else if (b.copy_text && typeof b.copy_text.text === "string") {
          button.addEventListener("click", () => {
            void navigator.clipboard?.writeText(b.copy_text.text).then(() => showToast(t("copied")), () => undefined);
          });
        } else {
          button.disabled = true;
          button.title = t("unsupported");
        }
        row.appendChild(button);
      }
      keyboard.appendChild(row);
    }
    return keyboard;
  }

  /** The reply keyboard in force: that of the bot's last message that sent or removed one. */
  function activeReplyKeyboard() {
    const list = [...state.messages.values()].filter((m) => m.from === "bot").sort((a, b) => b.message_id - a.message_id);
    const last = list.find((m) => m.reply_keyboard || m.remove_keyboard);
    return last && last.reply_keyboard ? last : null;
  }

  function renderComposer() {
    const person = state.personId !== null;
    for (const control of [ui.input, ui.send, ui.attach, ui.menu]) control.disabled = !person;
    ui.menu.hidden = !person || state.commands.length === 0;
    const holder = person ? activeReplyKeyboard() : null;
    const keyboard = holder && holder.reply_keyboard;
    ui.keyboardToggle.hidden = !keyboard;
    ui.input.placeholder = (keyboard && keyboard.input_field_placeholder) || t("placeholder");
    if (!keyboard || state.keyboardHiddenFor === holder.message_id) {
      ui.replyKeyboard.hidden = true;
      ui.replyKeyboard.replaceChildren();
    } else if (ui.replyKeyboard.dataset.for !== `${holder.message_id}:${holder.edit_date || 0}` || ui.replyKeyboard.hidden) {
      ui.replyKeyboard.dataset.for = `${holder.message_id}:${holder.edit_date || 0}`;
      const rows = keyboard.keyboard.map((buttons) => {
        const row = el("div", "keyboard-row");
        for (const b of buttons) {
          const text = typeof b === "string" ? b : b.text;
          const button = el("button", "reply-button", "reply-button");
          button.type = "button";
          button.textContent = text;
          button.addEventListener("click", () => {
            if (keyboard.one_time_keyboard) state.keyboardHiddenFor = holder.message_id;
            void sendText(text);
          });
          row.appendChild(button);
        }
        return row;
      });
      ui.replyKeyboard.replaceChildren(...rows);
      ui.replyKeyboard.hidden = false;
    }
    renderCommandList();
  }

  function renderCommandList() {
    const value = ui.input.value;
    const typed = /^\/[a-zA-Z0-9_]*$/.test(value) ? value.slice(1).toLowerCase() : null;
    const mode = state.commandMode === "menu" ? "menu" : typed !== null ? "typed" : "";
    const list = mode === "menu" ? state.commands : mode === "typed" ? state.commands.filter((c) => c.command.toLowerCase().startsWith(typed)) : [];
    if (!list.length || state.personId === null) {
      ui.commandList.hidden = true;
      ui.commandList.replaceChildren();
      state.commandIndex = -1;
      return;
    }
    state.commandIndex = Math.min(state.commandIndex, list.length - 1);
    ui.commandList.replaceChildren(
      ...list.map((c, i) => {
        const item = el("button", i === state.commandIndex ? "command-item active" : "command-item", "command-item");
        item.type = "button";
        item.dataset.command = c.command;
        const name = el("span", "command-name");
        name.textContent = `/${c.command}`;
        const description = el("span", "command-description");
        description.textContent = c.description;
        item.append(name, description);
        item.addEventListener("click", () => chooseCommand(c.command));
        return item;
      }),
    );
    ui.commandList.hidden = false;
  }

  function chooseCommand(command) {
    state.commandMode = "";
    ui.input.value = "";
    resizeInput();
    void sendText(`/${command}`);
    ui.input.focus();
  }

  function personLabel(p) {
    const name = [p.first_name, p.last_name].filter(Boolean).join(" ");
    return `${name}${p.username ? ` @${p.username}` : ""} · ${p.language_code}`;
  }

  function renderPicker() {
    const options = [];
    if (state.personId === null) {
      const none = new Option(t("nobody"), "");
      none.disabled = true;
      options.push(none);
    }
    for (const p of state.people) options.push(new Option(personLabel(p), String(p.id)));
    options.push(new Option(t("newPersonOption"), "new"));
    ui.picker.replaceChildren(...options);
    ui.picker.value = state.personId === null ? "" : String(state.personId);
  }

  function setAction(action) {
    clearTimeout(state.typingTimer);
    state.action = action;
    if (action) state.typingTimer = setTimeout(() => setAction(""), 5000);
    renderStatus();
  }

  function setConnected(connected) {
    state.connected = connected;
    renderStatus();
  }

  function renderStatus() {
    const actions = { typing: "typing", upload_photo: "uploadPhoto", upload_document: "uploadDocument" };
    const action = state.action && (actions[state.action] || "typing");
    ui.status.textContent = !state.connected && state.personId !== null ? t("connecting") : action ? t(action) : t("bot");
    ui.status.classList.toggle("active", Boolean(action));
  }

  function applyTexts() {
    document.documentElement.lang = state.lang;
    document.title = state.bot.first_name ? `${state.bot.first_name} — ${t("title")}` : t("title");
    ui.botName.textContent = state.bot.first_name || "…";
    ui.botAvatar.textContent = (state.bot.first_name || "?").slice(0, 1).toUpperCase();
    ui.lang.textContent = t("switchTo");
    ui.lang.title = t("switchTitle");
    ui.pickerLabel.textContent = t("choosePerson");
    ui.demo.hidden = !state.demo;
    ui.demo.textContent = t("demo");
    ui.menu.textContent = t("menu");
    ui.attach.title = t("attach");
    ui.attach.setAttribute("aria-label", t("attach"));
    ui.send.title = t("sendButton");
    ui.send.setAttribute("aria-label", t("sendButton"));
    ui.keyboardToggle.title = t("keyboard");
    $("person-dialog-title").textContent = t("newPersonTitle");
    $("open-as-title").textContent = t("openAsTitle");
    $("open-as-hint").textContent = t("openAsHint");
    $("open-as-open").textContent = t("open");
    $("open-as-cancel").textContent = t("cancel");
    $("first-name-label").textContent = t("firstName");
    $("last-name-label").textContent = t("lastName");
    $("language-label").textContent = t("language");
    $("person-create").textContent = t("create");
    $("person-cancel").textContent = t("cancel");
    $("attach-photo").textContent = t("sendPhoto");
    $("attach-cancel").textContent = t("cancel");
    ui.attachCaption.placeholder = t("caption");
    renderStatus();
  }

  // --- notices ------------------------------------------------------------------------------

  function showToast(text) {
    clearTimeout(state.toastTimer);
    ui.toast.textContent = text;
    ui.toast.hidden = false;
    state.toastTimer = setTimeout(() => (ui.toast.hidden = true), Math.min(2500 + text.length * 40, 6000));
  }

  function showAlert(text) {
    ui.alertText.textContent = text;
    if (!ui.alertDialog.open) ui.alertDialog.showModal();
  }

  function showError(error) {
    const status = error && error.status;
    const text = status === 413 ? t("tooBig") : status === 0 ? t("offline") : `${t("error")}: ${(error && error.message) || error}`;
    ui.bannerText.textContent = text;
    ui.banner.hidden = false;
    clearTimeout(state.bannerTimer);
    state.bannerTimer = setTimeout(() => (ui.banner.hidden = true), 10000);
  }

  // --- dialogs and input --------------------------------------------------------------------

  function openPersonDialog() {
    ui.personForm.reset();
    ui.personForm.elements.language_code.value = state.lang;
    ui.personDialog.showModal();
    ui.personForm.elements.first_name.focus();
  }

  let attaching = null;

  function chooseFile(file) {
    if (!file || state.personId === null) return;
    if (file.size > state.maxUpload) {
      showError(new ApiError(413, t("tooBig")));
      return;
    }
    attaching = file;
    const picture = /^image\/(jpeg|png|webp|gif|bmp)$/.test(file.type);
    ui.attachName.textContent = `${file.name} · ${formatSize(file.size)}`;
    $("attach-photo").hidden = !picture;
    $("attach-file").textContent = picture ? t("sendFile") : t("send");
    ui.attachCaption.value = "";
    ui.attachDialog.returnValue = "";
    ui.attachDialog.showModal();
  }

  function resizeInput() {
    ui.input.style.height = "auto";
    ui.input.style.height = `${Math.min(ui.input.scrollHeight, 160)}px`;
  }

  async function submitInput() {
    const text = ui.input.value;
    if (!text.trim()) return;
    ui.input.value = "";
    state.commandMode = "";
    resizeInput();
    if (!(await sendText(text)) && !ui.input.value) {
      ui.input.value = text;
      resizeInput();
    }
    renderCommandList();
  }

  function bindEvents() {
    ui.send.addEventListener("click", () => {
      void submitInput();
      ui.input.focus();
    });
    ui.input.addEventListener("keydown", (event) => {
      const items = ui.commandList.hidden ? [] : [...ui.commandList.children];
      if (items.length && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
        event.preventDefault();
        const index = state.commandIndex;
        state.commandIndex = event.key === "ArrowDown" ? (index + 1) % items.length : index <= 0 ? items.length - 1 : index - 1;
        renderCommandList();
        return;
      }
      if (items.length && event.key === "Tab") {
        event.preventDefault();
        const item = items[Math.max(state.commandIndex, 0)];
        ui.input.value = `/${item.dataset.command} `;
        state.commandMode = "";
        renderCommandList();
        return;
      }
      if (event.key === "Escape" && items.length) {
        state.commandMode = "";
        ui.commandList.hidden = true;
        return;
      }
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        if (items.length && state.commandIndex >= 0) chooseCommand(items[state.commandIndex].dataset.command);
        else void submitInput();
      }
    });
    ui.input.addEventListener("input", () => {
      if (state.commandMode === "menu") state.commandMode = "";
      state.commandIndex = -1;
      resizeInput();
      renderCommandList();
    });
    ui.menu.addEventListener("click", () => {
      state.commandMode = state.commandMode === "menu" ? "" : "menu";
      state.commandIndex = -1;
      renderCommandList();
    });
    ui.keyboardToggle.addEventListener("click", () => {
      const holder = activeReplyKeyboard();
      if (!holder) return;
      state.keyboardHiddenFor = state.keyboardHiddenFor === holder.message_id ? null : holder.message_id;
      renderComposer();
    });
    document.addEventListener("click", (event) => {
      if (state.commandMode === "menu" && !ui.commandList.contains(event.target) && !ui.menu.contains(event.target)) {
        state.commandMode = "";
        renderCommandList();
      }
    });
    ui.attach.addEventListener("click", () => ui.file.click());
    ui.file.addEventListener("change", () => {
      chooseFile(ui.file.files && ui.file.files[0]);
      ui.file.value = "";
    });
    ui.attachDialog.addEventListener("close", () => {
      const file = attaching;
      attaching = null;
      const choice = ui.attachDialog.returnValue;
      const caption = ui.attachCaption.value.trim();
      // Enter in the caption submits with the first button, which is hidden for a file that is no picture.
      if (file && (choice === "photo" || choice === "file")) void sendFile(file, choice === "photo" && !$("attach-photo").hidden, caption);
    });
    ui.messages.addEventListener("dragover", (event) => {
      if (state.personId !== null && event.dataTransfer && [...event.dataTransfer.types].includes("Files")) event.preventDefault();
    });
    ui.messages.addEventListener("drop", (event) => {
      if (!event.dataTransfer || !event.dataTransfer.files.length) return;
      event.preventDefault();
      chooseFile(event.dataTransfer.files[0]);
    });
    ui.messages.addEventListener("click", (event) => {
      const target = event.target instanceof Element ? event.target : null;
      if (!target) return;
      const start = target.closest("a[data-start-payload]");
      if (start) {
        event.preventDefault();
        openLink(start.getAttribute("href"));
        return;
      }
      const command = target.closest("a.command");
      if (command) {
        event.preventDefault();
        void sendText(command.dataset.command);
        return;
      }
      const spoiler = target.closest(".spoiler");
      if (spoiler && !spoiler.classList.contains("revealed")) {
        event.preventDefault();
        spoiler.classList.add("revealed");
        return;
      }
      const quote = target.closest("blockquote.expandable");
      if (quote) quote.classList.toggle("expanded");
      const image = target.closest("img.photo");
      if (image) {
        ui.lightboxImage.src = image.src;
        ui.lightbox.hidden = false;
      }
    });
    ui.messages.addEventListener("scroll", () => {
      state.atBottom = ui.messages.scrollHeight - ui.messages.scrollTop - ui.messages.clientHeight < 80;
    });
    const keepAtBottom = () => state.atBottom && scrollToBottom();
    ui.messages.addEventListener("load", keepAtBottom, true);
    if (typeof ResizeObserver === "function") new ResizeObserver(keepAtBottom).observe(ui.messages);
    ui.lightbox.addEventListener("click", () => (ui.lightbox.hidden = true));
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !ui.lightbox.hidden) ui.lightbox.hidden = true;
    });
    ui.picker.addEventListener("focus", () => {
      void loadPeople().catch(() => undefined);
    });
    ui.picker.addEventListener("change", () => {
      const value = ui.picker.value;
      if (value === "new") {
        ui.picker.value = state.personId === null ? "" : String(state.personId);
        openPersonDialog();
      } else if (value) selectPerson(Number(value));
    });
    $("person-cancel").addEventListener("click", () => ui.personDialog.close());
    ui.personForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const form = ui.personForm.elements;
      const body = { first_name: form.first_name.value.trim(), last_name: form.last_name.value.trim() || undefined, language_code: form.language_code.value };
      if (!body.first_name) return;
      ui.personDialog.close();
      void (async () => {
        try {
          const { person } = await api("POST", "/api/people", body);
          state.people.push(person);
          selectPerson(person.id);
          const payload = state.startAfterCreate;
          state.startAfterCreate = null;
          if (payload) void openStartLink(payload);
        } catch (error) {
          showError(error);
        }
      })();
    });
    ui.openAsDialog.addEventListener("close", () => {
      if (ui.openAsDialog.returnValue === "open") openAs(ui.openAsPicker.value, ui.openAsDialog.dataset.payload || "");
    });
    ui.demo.addEventListener("click", () => void seedDemo());
    ui.lang.addEventListener("click", () => {
      state.lang = state.lang === "ru" ? "en" : "ru";
      localStorage.setItem("playground.lang", state.lang);
      rendered = new Map();
      applyTexts();
      renderPicker();
      render();
    });
    ui.bannerClose.addEventListener("click", () => (ui.banner.hidden = true));
  }

  void boot();
})();
