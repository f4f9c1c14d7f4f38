/*! Vraagbaak chat widget (EUPL-1.2). One tag on any page:
 *  <script src="https://HOST/widget.js" data-municipality="den-haag" data-lang="auto" defer></script>
 *  Plain ES2020, no dependencies. Talks only to the server it was loaded from: GET /api/widget-config
 *  (labels in every language, municipalities, font), POST /api/messages (relayed to Rasa's REST
 *  channel), POST /api/forget (deletes a conversation left behind on the server too) and, once a
 *  conversation went to the volunteers' desk, GET /api/events (server-sent events; long polling
 *  GET /api/messages where those do not get through) for their answers. Lives in a shadow root:
 *  the page's CSS cannot reach it and its CSS cannot leak out. */
(() => {
  "use strict";
  const script = document.currentScript || document.querySelector('script[src$="/widget.js"]');
  if (!script || window.vraagbaakWidget) return; // included twice: the first one wins
  window.vraagbaakWidget = true;

  // --- options and storage ------------------------------------------------------------------
  const BASE = new URL(script.src, location.href);
  const api = (path) => new URL(path, BASE).href;
  const DATA_MUNICIPALITY = (script.dataset.municipality || "").trim().toLowerCase();
  const DATA_LANG = (script.dataset.lang || "auto").trim().toLowerCase();
  const KEY = "vraagbaak:v1:" + BASE.origin + ":";
  const FONT_FAMILY = "Vraagbaak Noto Sans Ethiopic";
  const ETHIOPIC = "U+1200-139F, U+2D80-2DDF, U+AB00-AB2F, U+1E7E0-1E7FF";
  const TIMEOUT_MS = 45000;
  const MAX_ENTRIES = 200;
  const EXPIRE_MS = 24 * 3600 * 1000; // a conversation left alone for a day starts afresh (shared phones)
  const SENDER = /^web-[0-9a-f]{32}$/; // what newSender() makes: the only ids /api/forget takes
  const MAX_OWED = 20;
  const POLL_WAIT_S = 25; // the server's longest long poll
  const DESK_YES = "/desk_consent", DONE = "/desk_done";
  /** Replies that show that the conversation is (or was) at the volunteers' desk: its answers come pushed. */
  const DESK_KINDS = ["desk_opened", "desk_already_open", "desk_waiting", "desk_closed", "volunteer"];
  const CLOSING = ["desk_closed", "desk_closed_by_newcomer"];

  const store = {
    get(name) {
      try { return JSON.parse(localStorage.getItem(KEY + name)); } catch { return null; }
    },
    set(name, value) {
      try { localStorage.setItem(KEY + name, JSON.stringify(value)); } catch { /* blocked or full: chat unsaved */ }
    },
  };

  let config = null; // from /api/widget-config (cached)
  let state = loadState();
  let uiLang = "nl";
  let pending = 0;
  let queue = Promise.resolve(true);
  let startingFor = null; // the sender whose conversation is being set up
  let atBottom = true;
  let push = null; // listening for the current conversation's pushed messages: see listen()

  function newSender() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return "web-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function freshState(keep) {
    return { sender: newSender(), entries: [], started: false, open: false, chosenLang: keep ? keep.chosenLang : null,
      uiLang: keep ? keep.uiLang : null, municipality: null, touched: Date.now(),
      desk: false, pushed: 0 }; // pushed: the id of the last pushed message shown
  }

  function loadState() {
    const saved = store.get("session");
    const ok = saved && typeof saved.sender === "string" && Array.isArray(saved.entries);
    if (ok && Date.now() - (saved.touched || 0) < EXPIRE_MS) return saved;
    if (ok) { // unused for a day: gone from this browser now, from the server by forgetOwed()
      owe(saved.sender);
      store.set("session", null);
    }
    return freshState();
  }

  /** Conversations to delete on the server too (as /vergeet on Telegram), kept until the server
   *  confirms: a page closed meanwhile or a server that is down only delays it to the next load. */
  function owed() {
    const list = store.get("forget");
    return Array.isArray(list) ? list.filter((s) => typeof s === "string" && SENDER.test(s)) : [];
  }

  function owe(sender) {
    if (SENDER.test(sender)) store.set("forget", [...owed().filter((s) => s !== sender), sender].slice(-MAX_OWED));
  }

  function forgetOwed() {
    for (const sender of owed()) {
      fetch(api("/api/forget"), { method: "POST", headers: { "Content-Type": "application/json" }, credentials: "omit",
        body: JSON.stringify({ sender }) })
        .then((r) => { if (r.ok) store.set("forget", owed().filter((s) => s !== sender)); })
        .catch(() => { /* asked again at the next load */ });
    }
  }

  function save() {
    state.touched = Date.now();
    state.entries = state.entries.slice(-MAX_ENTRIES);
    store.set("session", state);
  }

  // --- languages and texts --------------------------------------------------------------------
  const codes = () => config.languages.map((l) => l.code);
  const supported = (code) => !!code && codes().includes(code);
  const dirOf = (code) => ((config.languages.find((l) => l.code === code) || {}).dir === "rtl" ? "rtl" : "ltr");
  const fixedLang = () => (supported(DATA_LANG) ? DATA_LANG : null);
  const fill = (text, values) => String(text || "").replace(/\{(\w+)\}/g, (m, k) => (values && k in values ? values[k] : m));
  const t = (key, values) => fill((config.texts[uiLang] || {})[key] || config.texts[codes()[0]][key], values);

  function municipality() {
    const code = state.municipality || DATA_MUNICIPALITY;
    return config.municipalities.find((m) => m.code === code) || null;
  }

  function initialUiLang() {
    if (supported(state.uiLang)) return state.uiLang;
    if (fixedLang()) return fixedLang();
    const page = (document.documentElement.lang || "").slice(0, 2).toLowerCase();
    return supported(page) ? page : codes()[0];
  }

  /** The script a text is mostly written in: "ar", "ti" or null (Latin or nothing). URLs do not count. */
  function scriptLang(text) {
    let ar = 0, ti = 0, latin = 0;
    for (const ch of String(text).replace(/https?:\/\/\S+/g, "")) {
      const c = ch.codePointAt(0);
      if ((c >= 0x600 && c <= 0x6ff) || (c >= 0x750 && c <= 0x77f) || (c >= 0xfb50 && c <= 0xfeff)) ar++;
      else if ((c >= 0x1200 && c <= 0x139f) || (c >= 0x2d80 && c <= 0x2ddf)) ti++;
      else if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0xc0 && c <= 0x24f)) latin++;
    }
    if (ar > latin && ar >= ti) return "ar";
    if (ti > latin) return "ti";
    return null;
  }

  // --- DOM helpers ----------------------------------------------------------------------------
  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v == null || v === false) continue;
      if (k === "text") el.textContent = v;
      else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children) if (c != null && c !== "") el.append(c); // strings become text nodes
    return el;
  }

  const ICONS = {
    chat: "M4 5h16v11H9l-5 4z",
    close: "M6 6l12 12M18 6L6 18",
    send: "M4 20l17-8L4 4l2 8zM6 12h8",
    plus: "M12 5v14M5 12h14",
    globe: "M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18M3 12h18M12 3c3.5 4 3.5 14 0 18M12 3c-3.5 4-3.5 14 0 18",
    up: "M7 11v9H4v-9zM7 11l4-8c1.5 0 2.5 1 2.5 2.5V9h5a2 2 0 0 1 2 2.3l-1.2 7a2 2 0 0 1-2 1.7H7",
    down: "M7 13V4H4v9zM7 13l4 8c1.5 0 2.5-1 2.5-2.5V15h5a2 2 0 0 0 2-2.3l-1.2-7a2 2 0 0 0-2-1.7H7",
    person: "M12 12a4 4 0 1 0 0-8a4 4 0 1 0 0 8M4 21c0-4.5 3.6-7 8-7s8 2.5 8 7",
    phone: "M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2z",
    retry: "M20 12a8 8 0 1 1-2.3-5.7M20 4v5h-5",
  };
  const PAYLOAD_ICONS = { "/feedback_helpful": "up", "/feedback_not_helpful": "down", "/request_human": "person" };

  function icon(name) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", "icon " + name);
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", ICONS[name]);
    svg.append(path);
    return svg;
  }

  // --- safe Markdown: paragraphs, lists, bold, links; DOM nodes only, never HTML ---------------
  const INLINE = /\*\*(.+?)\*\*|\[([^\]\n]+)\]\(\s*([^)\s]+)\s*\)|(https?:\/\/[^\s<>"()]*[^\s<>"'().,;:!?،؛።፣፤])/g;

  function link(href, label, isUrl) {
    let target;
    try { target = new URL(href); } catch { return document.createTextNode(label); }
    if (target.protocol !== "https:" && target.protocol !== "http:") return document.createTextNode(label);
    return h("a", { href: target.href, target: "_blank", rel: "noopener noreferrer", dir: isUrl ? "ltr" : "auto" },
      label, h("span", { class: "sr", text: " " + t("newTab") }));
  }

  function inline(text, parent) {
    let last = 0;
    for (const m of text.matchAll(INLINE)) {
      parent.append(text.slice(last, m.index));
      if (m[1] != null) {
        const strong = h("strong");
        inline(m[1], strong);
        parent.append(strong);
      } else if (m[2] != null) {
        parent.append(link(m[3], m[2], false)); // a relative link (../x.md) stays plain text
      } else {
        parent.append(link(m[4], m[4], true));
      }
      last = m.index + m[0].length;
    }
    parent.append(text.slice(last));
  }

  function markdown(text, parent, blockDir) {
    let para = null, list = null, item = null;
    for (const raw of String(text).replace(/\r\n?/g, "\n").split("\n")) {
      const line = raw.trim();
      if (!line) { para = list = item = null; continue; }
      const bullet = /^(?:([-*•])|(\d{1,3})[.)])\s+(.*)$/.exec(line);
      if (bullet) {
        const ordered = !!bullet[2];
        if (!list || (list.tagName === "OL") !== ordered) {
          list = h(ordered ? "ol" : "ul", { dir: blockDir, start: ordered && bullet[2] !== "1" ? bullet[2] : null });
          parent.append(list);
        }
        item = h("li");
        inline(bullet[3], item);
        list.append(item);
        para = null;
        continue;
      }
      if (item && /^\s{2,}/.test(raw)) { item.append(" "); inline(line, item); continue; } // continued item
      const heading = /^#{1,6}\s+(.*)$/.exec(line);
      if (heading) {
        const strong = h("strong");
        inline(heading[1], strong);
        parent.append(h("p", { dir: blockDir }, strong));
        para = list = item = null;
        continue;
      }
      list = item = null;
      if (para) para.append(h("br"));
      else parent.append((para = h("p", { dir: blockDir })));
      inline(line, para);
    }
  }

  /** An answer's text ends with its source line; show it under the bubble as a link instead. */
  function splitSource(text, custom) {
    const paragraphs = String(text).trimEnd().split(/\n\s*\n/);
    const last = paragraphs[paragraphs.length - 1].trim();
    if (paragraphs.length < 2 || !last.includes(custom.source)) return { text, date: formatDate(custom.reviewed) };
    const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    let date = null;
    for (const table of Object.values(config.texts)) {
      const pattern = escape(table.sourceLine || "").replace(escape("{source}"), () => escape(custom.source))
        .replace(escape("{date}"), () => "(.+)");
      const m = new RegExp("^" + pattern + "$").exec(last);
      if (m) { date = m[1]; break; }
    }
    return { text: paragraphs.slice(0, -1).join("\n\n"), date: date || formatDate(custom.reviewed) };
  }

  function formatDate(iso) {
    if (typeof iso !== "string" || !/^\d{4}-\d\d-\d\d$/.test(iso)) return null;
    try { return new Intl.DateTimeFormat(uiLang, { dateStyle: "long" }).format(new Date(iso + "T12:00:00")); } catch { return iso; }
  }

  // --- the widget's DOM -------------------------------------------------------------------------
  const CSS = `
:host{all:initial}
.root{all:initial;display:block;font:400 medium/1.5 "${FONT_FAMILY}",system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Ethiopic","Noto Sans Arabic",Tahoma,Arial,sans-serif;color:#1a1a1a;-webkit-text-size-adjust:100%;text-size-adjust:100%}
.root *{box-sizing:border-box}
[hidden]{display:none!important}
.sr{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
button,select,textarea,a{font:inherit;color:inherit}
/* a closed picker measures every option, ትግርኛ too: not in our font, which would download it unseen */
select:not(:lang(ti)){font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Ethiopic","Noto Sans Arabic",Tahoma,Arial,sans-serif}
option{font-family:"${FONT_FAMILY}",system-ui,sans-serif}
button{cursor:pointer}
.icon{width:1.25em;height:1.25em;flex:none;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round}
.icon.send{fill:currentColor;stroke-width:1.5}
[dir=rtl] .icon.send{transform:scaleX(-1)}
:focus-visible{outline:3px solid #ffbf00;outline-offset:1px;box-shadow:0 0 0 5px #1a1a1a}
textarea:focus-visible,select:focus-visible{outline-color:#1f4e8c;outline-offset:2px;box-shadow:none}
.launcher{position:fixed;right:1.25em;bottom:1.25em;z-index:2147483000;display:flex;align-items:center;gap:.5em;min-height:3em;padding:.75em 1.25em;border:2px solid #fff;border-radius:2em;background:#1f4e8c;color:#fff;font-weight:600;box-shadow:0 .25em 1em rgba(0,0,0,.3)}
.launcher:hover{background:#173b6b}
.launcher.news::after{content:"";width:.75em;height:.75em;border:2px solid #fff;border-radius:50%;background:#ffbf00}
.panel{position:fixed;right:1.25em;bottom:1.25em;z-index:2147483000;display:flex;flex-direction:column;width:min(26em,calc(100vw - 2.5em));height:min(44em,calc(100vh - 2.5em));height:min(44em,calc(100dvh - 2.5em));background:#fff;border:1px solid #8b96a5;border-radius:.75em;box-shadow:0 .5em 2em rgba(0,0,0,.35);overflow:hidden}
.head{display:flex;align-items:flex-start;gap:.5em;padding:.625em .625em .625em 1em;background:#1f4e8c;color:#fff}
.brand{flex:1;min-width:0}
h2{margin:0;font-size:1.125em;line-height:1.3}
.sub{margin:0;font-size:.875em}
.iconbtn{display:inline-grid;place-items:center;min-width:2.75em;min-height:2.75em;padding:0;border:0;border-radius:.5em;background:transparent}
.iconbtn:hover{background:rgba(255,255,255,.15)}
.bar{display:flex;flex-wrap:wrap;align-items:center;gap:.5em;padding:.5em .75em;background:#f3f5f8;border-bottom:1px solid #d5dbe3}
.lang{display:flex;align-items:center;gap:.375em;font-size:.9375em}
select{min-height:2.75em;max-width:11em;padding:0 .5em;border:1px solid #6b7785;border-radius:.375em;background:#fff}
.new{display:flex;align-items:center;gap:.375em;min-height:2.75em;margin-inline-start:auto;padding:0 .75em;border:1px solid #1f4e8c;border-radius:.375em;background:#fff;color:#1f4e8c;font-size:.9375em;font-weight:600}
.new:hover,.chip:hover{background:#e6eef8}
.log{position:relative;flex:1;display:flex;flex-direction:column;gap:.875em;padding:1em .75em;overflow-y:auto;overscroll-behavior:contain}
.msg{display:flex;flex-direction:column;gap:.375em;max-width:90%;align-self:flex-start}
.msg.user{align-self:flex-end;align-items:flex-end;max-width:85%}
.bubble{padding:.625em .875em;border:1px solid transparent;border-radius:1em;overflow-wrap:anywhere;unicode-bidi:isolate}
.user .bubble{background:#1f4e8c;color:#fff;border-end-end-radius:.25em;white-space:pre-wrap}
.bot .bubble{background:#eef1f5;border-end-start-radius:.25em}
.alert .bubble{background:#fff4e5;border-color:#b45309}
.volunteer .bubble{background:#eaf6ee;border-color:#1d6b3a;border-inline-start-width:.25em}
.who{display:flex;align-items:center;gap:.375em;margin:0;padding:0 .375em;font-size:.875em;font-weight:700;color:#1d6b3a}
.bubble p{margin:0 0 .625em}
.bubble p:last-child,.bubble ul:last-child,.bubble ol:last-child{margin-bottom:0}
.bubble ul,.bubble ol{margin:0 0 .625em;padding-inline-start:1.375em}
.bubble li+li{margin-top:.25em}
.bubble a,.meta a{color:#0b4c8c;text-decoration:underline;text-underline-offset:.15em}
.bubble :lang(ar),.bubble:lang(ar){line-height:1.7}
.meta{display:flex;flex-direction:column;margin:0;padding:0 .375em;font-size:.875em;color:#4a5360}
.chips{display:flex;flex-wrap:wrap;gap:.5em}
.chip{display:inline-flex;align-items:center;gap:.375em;min-height:2.75em;padding:.375em .875em;border:2px solid #1f4e8c;border-radius:1.5em;background:#fff;color:#1f4e8c;font-weight:600;line-height:1.25;text-decoration:none}
.chip.call{background:#1f4e8c;color:#fff}
.typing{display:flex;align-items:center;gap:.5em;align-self:flex-start;padding:.5em .875em;border-radius:1em;background:#eef1f5;color:#4a5360;font-size:.875em}
.dots{display:inline-flex;gap:.25em}
.dots span{width:.45em;height:.45em;border-radius:50%;background:#4a5360;animation:vb-blink 1.2s infinite both}
.dots span:nth-child(2){animation-delay:.2s}
.dots span:nth-child(3){animation-delay:.4s}
@keyframes vb-blink{0%,80%,100%{opacity:.25}40%{opacity:1}}
.composer{display:flex;align-items:flex-end;gap:.5em;padding:.625em .75em;border-top:1px solid #d5dbe3;background:#fff}
textarea{flex:1;min-height:2.75em;max-height:8em;padding:.55em .75em;border:1px solid #6b7785;border-radius:.5em;background:#fff;line-height:1.4;resize:none}
textarea::placeholder{color:#5f6b7a;opacity:1}
.send{display:inline-grid;place-items:center;min-width:2.75em;min-height:2.75em;border:0;border-radius:.5em;background:#1f4e8c;color:#fff}
.send:hover{background:#173b6b}
@media (max-width:600px){
.panel{top:var(--vv-top,0);right:0;bottom:auto;left:0;width:100%;height:100vh;height:var(--vv-h,100dvh);border:0;border-radius:0}
.launcher{right:1em;bottom:1em}}
@media (prefers-reduced-motion:reduce){.root *{animation:none!important;transition:none!important}}
@media (forced-colors:active){.launcher,.send,.chip,.new{border:2px solid ButtonText}}
@media print{.root{display:none}}`;

  const host = document.createElement("vraagbaak-widget");
  host.style.cssText = "all:initial!important";
  const shadow = host.attachShadow({ mode: "open" });
  try {
    const sheet = new CSSStyleSheet(); // not an inline <style>: works under a strict style-src CSP
    sheet.replaceSync(CSS);
    shadow.adoptedStyleSheets = [sheet];
  } catch {
    shadow.append(h("style", { text: CSS }));
  }

  const $ = {}; // the elements the code updates
  $.launcher = h("button", { type: "button", class: "launcher", "aria-expanded": "false", "aria-controls": "vb-panel",
    onclick: () => open(true) }, icon("chat"), ($.launcherText = h("span")));
  const head = h("div", { class: "head" },
    h("div", { class: "brand" }, h("h2", { id: "vb-title", text: "Vraagbaak" }), ($.sub = h("p", { class: "sub" }))),
    ($.close = h("button", { type: "button", class: "iconbtn", onclick: close }, icon("close"))));
  const bar = h("div", { class: "bar" },
    h("label", { class: "lang" }, icon("globe"), ($.langText = h("span", { class: "sr" })), ($.select = h("select", { onchange: pickLanguage }))),
    ($.restart = h("button", { type: "button", class: "new", onclick: restart }, icon("plus"), ($.restartText = h("span")))));
  $.typing = h("div", { class: "typing", "aria-hidden": "true", hidden: true },
    h("span", { class: "dots" }, h("span"), h("span"), h("span")), ($.typingText = h("span")));
  $.log = h("div", { class: "log", role: "log", "aria-live": "polite", "aria-labelledby": "vb-title", tabindex: "0" }, $.typing);
  $.status = h("div", { class: "sr", role: "status" });
  $.form = h("form", { class: "composer", onsubmit: submit },
    ($.inputLabel = h("label", { class: "sr", for: "vb-input" })),
    ($.input = h("textarea", { id: "vb-input", rows: "1", dir: "auto", maxlength: "2000", autocomplete: "off", enterkeyhint: "send" })),
    ($.send = h("button", { type: "submit", class: "send" }, icon("send"))));
  $.panel = h("div", { class: "panel", id: "vb-panel", role: "dialog", "aria-labelledby": "vb-title", tabindex: "-1", hidden: true },
    head, bar, $.log, $.status, $.form);
  const root = h("div", { class: "root" }, $.launcher, $.panel);
  shadow.append(root);

  function applyTexts() {
    root.lang = uiLang;
    root.dir = dirOf(uiLang);
    $.launcherText.textContent = t("open");
    $.close.setAttribute("aria-label", t("close"));
    $.close.title = t("close");
    const place = municipality();
    $.sub.textContent = t("subtitle") + (place ? " · " + place.name : "");
    $.langText.textContent = t("language");
    $.restartText.textContent = t("newConversation");
    $.inputLabel.textContent = t("inputLabel");
    $.input.placeholder = t("placeholder");
    $.send.setAttribute("aria-label", t("send"));
    $.send.title = t("send");
    $.typingText.textContent = t("typing");
    if ($.select.options.length !== config.languages.length) {
      $.select.replaceChildren(...config.languages.map((l) => h("option", { value: l.code, lang: l.code, dir: l.dir, text: l.name })));
    }
    $.select.value = uiLang;
  }

  function setUiLang(code) {
    if (!supported(code) || code === uiLang) return;
    uiLang = state.uiLang = code;
    applyTexts();
  }

  // --- messages ---------------------------------------------------------------------------------
  /** Quick replies stay usable (also after a reload) until they are answered: by a click on one
   *  of them, or by anything the user types, which moves the conversation on. */
  function renderEntry(entry) {
    const active = !entry.done;
    const text = String(entry.text || "");
    if (entry.who === "user") {
      const lang = scriptLang(text);
      return h("div", { class: "msg user", dir: lang ? dirOf(lang) : "auto" }, h("span", { class: "sr", text: t("you") + " " }),
        h("div", { class: "bubble", lang, dir: lang ? dirOf(lang) : "auto" }, text));
    }
    const custom = entry.custom || {};
    const kind = custom.vraagbaak;
    const mixed = !!custom.not_translated; // a note in the user's language above a Dutch text
    const lang = !mixed && supported(custom.lang) ? custom.lang : scriptLang(text);
    const dir = lang ? dirOf(lang) : "auto";
    const volunteer = kind === "volunteer";
    const msg = h("div", { class: "msg bot" + (kind === "unavailable" ? " alert" : volunteer ? " volunteer" : ""), dir });
    msg.append(volunteer ? volunteerLabel(custom.volunteer, lang, dir) : h("span", { class: "sr", text: "Vraagbaak: " }));
    let body = text, date = null;
    const hasSource = kind === "answer" && typeof custom.source === "string" && /^https?:\/\//.test(custom.source);
    if (hasSource) ({ text: body, date } = splitSource(text, custom));
    const bubble = h("div", { class: "bubble", lang, dir });
    markdown(body, bubble, mixed ? "auto" : null);
    msg.append(bubble);
    if (hasSource) {
      let site = custom.source;
      try { site = new URL(custom.source).hostname.replace(/^www\./, ""); } catch { /* shown whole */ }
      msg.append(h("p", { class: "meta" }, h("span", null, t("source") + " ", link(custom.source, site, true)),
        date ? h("span", { text: t("checkedOn", { date }) }) : null));
    }
    const chips = h("div", { class: "chips" });
    if (active) {
      for (const button of entry.buttons || []) {
        chips.append(h("button", { type: "button", class: "chip", dir: "auto", onclick: (e) => choose(entry, msg, button, e) },
          PAYLOAD_ICONS[button.payload] ? icon(PAYLOAD_ICONS[button.payload]) : null, button.title));
      }
    }
    const phone = (kind === "unavailable" || kind === "handoff" || kind === "desk_waiting") &&
      (custom.phone || (municipality() || {}).phone);
    // Someone in danger: every number of the reply as a tap-to-call button, 112 first.
    const phones = kind === "emergency" ? (custom.calls || []).map((c) => c.phone) : phone ? [phone] : [];
    for (const number of phones) {
      chips.append(h("a", { class: "chip call", href: "tel:" + String(number).replace(/[^\d+]/g, "") },
        icon("phone"), t("call", { phone: number })));
    }
    if (active && entry.retry != null) { // "": a failed start, which start() repeats
      chips.append(h("button", { type: "button", class: "chip", onclick: (e) => retry(entry, e) }, icon("retry"), t("retry")));
    }
    if (chips.childElementCount) msg.append(chips);
    return msg;
  }

  /** "Semhar (volunteer):" above a volunteer's answer, in the answer's language: the name they
   *  chose as text (isolated for the writing direction), never as markup. */
  function volunteerLabel(name, lang, dir) {
    const label = (key) => (config.texts[lang] || {})[key] || t(key);
    name = typeof name === "string" ? name.trim() : "";
    const named = !!name && !Object.values(config.texts).some((table) => table.volunteerDefault === name);
    const [before, after = ""] = label(named ? "volunteerSays" : "volunteerUnnamed").split("{name}");
    return h("p", { class: "who", lang, dir }, icon("person"), h("span", null, before, named ? h("bdi", null, name) : null, after));
  }

  function renderAll() {
    $.log.querySelectorAll(".msg").forEach((el) => el.remove());
    state.entries.forEach((entry) => $.log.insertBefore(renderEntry(entry), $.typing));
    reveal(null);
  }

  /** ``pushed``: a message that came by itself (a volunteer's), not as a reply: shown from its top. */
  function addEntries(entries, pushed) {
    if (!entries.length) return;
    let answered = null; // which older quick replies are answered now
    if (entries[0].who === "user" && !entries[0].chosen) { // typed: all, but an open ticket's "Done"
      const keep = openDone();
      answered = (e) => e !== keep;
    } else if (entries.some((e) => hasDone(e) || CLOSING.includes(kindOf(e)))) {
      answered = hasDone; // one "Done" at a time, the newest; none once the ticket closed
    }
    if (answered) {
      const shown = $.log.querySelectorAll(".msg"), offset = shown.length - state.entries.length;
      state.entries.forEach((e, i) => {
        if (e.done || !answered(e)) return;
        e.done = true;
        if (shown[offset + i]) shown[offset + i].querySelectorAll(".chips").forEach(deactivate);
      });
    }
    state.entries.push(...entries);
    save();
    let first = null;
    for (const entry of entries) {
      const el = renderEntry(entry);
      first = first || el;
      $.log.insertBefore(el, $.typing);
    }
    listen();
    if (entries[0].who !== "bot") return reveal(null);
    if (pushed) return reveal(first);
    const question = [...$.log.querySelectorAll(".msg.user")].pop(); // the question above its answer
    reveal(question && question.compareDocumentPosition(first) & Node.DOCUMENT_POSITION_FOLLOWING ? question : first);
  }

  const kindOf = (entry) => (entry && entry.custom && entry.custom.vraagbaak) || null;
  const hasDone = (entry) => (entry.buttons || []).some((b) => b.payload === DONE);

  /** The open ticket's newest "Done" button, which typing must leave: the only way back to the assistant. */
  function openDone() {
    for (let i = state.entries.length - 1; i >= 0; i--) {
      const e = state.entries[i];
      if (CLOSING.includes(kindOf(e))) return null;
      if (hasDone(e)) return e.done ? null : e;
    }
    return null;
  }

  function deactivate(chips) {
    chips.querySelectorAll("button").forEach((b) => b.remove());
    if (!chips.childElementCount) chips.remove();
  }

  /** Show the newest messages from ``el`` on (the question and its answer) when they are taller
   *  than the log, else the very end. */
  function reveal(el) {
    requestAnimationFrame(() => {
      const end = $.log.scrollHeight - $.log.clientHeight;
      $.log.scrollTop = el ? Math.min(el.offsetTop - 12, end) : end;
      atBottom = $.log.scrollTop >= end - 48; // now, not at the next scroll event: a resize may come first
    });
  }

  function toEntry(message) {
    if (!message || typeof message !== "object") return null;
    const text = typeof message.text === "string" ? message.text : "";
    const buttons = (Array.isArray(message.buttons) ? message.buttons : [])
      .filter((b) => b && typeof b.title === "string" && typeof b.payload === "string")
      .map((b) => ({ title: b.title, payload: b.payload }));
    const c = message.custom && typeof message.custom === "object" ? message.custom : null;
    const custom = c && { vraagbaak: c.vraagbaak, lang: c.lang, source: c.source, reviewed: c.reviewed,
      not_translated: c.not_translated, phone: c.phone, municipality: c.municipality,
      volunteer: typeof c.volunteer === "string" ? c.volunteer.slice(0, 64) : undefined,
      calls: Array.isArray(c.calls) ? c.calls.filter((x) => x && typeof x.phone === "string").slice(0, 4)
        .map((x) => ({ name: String(x.name || ""), phone: x.phone })) : undefined };
    return text || buttons.length ? { who: "bot", text, buttons, custom } : null;
  }

  // --- talking to the server ----------------------------------------------------------------------
  /** The language to answer in: the user's or the tag's choice; else none, so that the server
   *  detects it from the message, except for a button's command, which is in no language: that
   *  one is in the language the user sees. */
  function requestLang(message) {
    return state.chosenLang || fixedLang() || (message.startsWith("/") ? uiLang : undefined);
  }

  function setTyping(on) {
    $.typing.hidden = !on;
    $.status.textContent = on ? t("typing") : "";
    if (on) reveal(null);
  }

  /** A button's payload, sent apart from typed text: the server runs only payloads it offered,
   *  and reads anything typed (also "/restart") as words. */
  const command = (payload) => ({ payload });

  /** One message (typed text, or command(payload)) to the server and its replies into the chat.
   *  ``hidden``: a setup command whose replies are not shown (unless they apologise); a failed
   *  one is retried by start(), not resent. */
  async function exchange(message, hidden, setup, sender) {
    if (state.sender !== sender) return false; // queued before "new conversation": dropped
    pending++;
    setTyping(true);
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), TIMEOUT_MS);
    try {
      const place = municipality();
      const response = await fetch(api("/api/messages"), {
        method: "POST", headers: { "Content-Type": "application/json" }, credentials: "omit", signal: abort.signal,
        body: JSON.stringify({ sender, ...(typeof message === "string" ? { message } : { payload: message.payload }),
          lang: requestLang(typeof message === "string" ? message : message.payload),
          municipality: place ? place.code : undefined }),
      });
      // 429 (too many at once) and 413 (too long) carry a polite reply in the user's language.
      if (!response.ok && response.status !== 429 && response.status !== 413) throw new Error("HTTP " + response.status);
      const raw = await response.json();
      const replies = raw.map(toEntry).filter(Boolean);
      // A message passed on to the volunteers: the assistant says nothing, and that is no failure.
      if (!replies.length && !raw.some((m) => kindOf(m) === "desk_relayed")) throw new Error("no reply");
      if (state.sender !== sender) return false; // a new conversation started meanwhile
      const failed = !response.ok || replies.some((e) => e.custom && e.custom.vraagbaak === "unavailable");
      replies.forEach((e) => learn(e.custom || {}));
      if (failed) apologise(replies, setup || response.status === 413 ? "" : message); // too long: no retry
      else if (!hidden) addEntries(replies);
      return !failed;
    } catch (error) {
      if (state.sender === sender) apologise([unreachable()], setup ? "" : message);
      return false;
    } finally {
      clearTimeout(timer);
      if (--pending === 0) setTyping(false);
    }
  }

  /** One apology at a time: a new one replaces the one just before it. */
  function apologise(replies, message) {
    const last = state.entries[state.entries.length - 1];
    if (last && last.custom && last.custom.vraagbaak === "unavailable") {
      state.entries.pop();
      const shown = $.log.querySelectorAll(".msg");
      shown[shown.length - 1].remove();
    }
    replies[replies.length - 1].retry = message;
    addEntries(replies);
  }

  /** The server itself cannot be reached: say so with the municipality's phone (cached config). */
  function unreachable() {
    const place = municipality();
    const offer = place ? t("humanWithPhone", { municipality: place.name, phone: place.phone, website: place.website })
      : t("humanGeneral");
    return { who: "bot", text: t("unavailable") + "\n\n" + offer, buttons: [],
      custom: { vraagbaak: "unavailable", lang: uiLang, phone: place ? place.phone : null } };
  }

  /** Follow the conversation's language and municipality in the widget's own labels. */
  function learn(custom) {
    if (custom.vraagbaak === "language" && supported(custom.lang)) {
      state.chosenLang = custom.lang;
      setUiLang(custom.lang);
    } else if (custom.vraagbaak === "municipality") {
      state.municipality = typeof custom.municipality === "string" ? custom.municipality : null;
      applyTexts();
    } else if ((custom.vraagbaak === "answer" || custom.vraagbaak === "no_answer") && !custom.not_translated &&
               !state.chosenLang && !fixedLang()) {
      setUiLang(custom.lang);
    }
  }

  /** Messages go one after the other, in order. */
  function enqueue(task) {
    const job = queue.then(task);
    queue = job.catch(() => false);
    return job;
  }

  function send(message, label, chosen) {
    const sender = state.sender;
    if (message.payload === DESK_YES) state.desk = true; // listen for the volunteers from now on
    addEntries([{ who: "user", text: label == null ? message : label, chosen: !!chosen }]);
    if (!state.started) start(false);
    return enqueue(() => exchange(message, false, false, sender));
  }

  /** Set a conversation up: the tag's municipality and language (hidden, as if the user had
   *  pressed their buttons), then the welcome, when the user has not started talking already. */
  function start(welcome) {
    const sender = state.sender;
    if (startingFor === sender) return;
    startingFor = sender;
    const place = municipality();
    const lang = state.chosenLang || fixedLang();
    const steps = [place && command(`/choose_municipality{"municipality":"${place.code}"}`),
      lang && command(`/choose_language{"language":"${lang}"}`)];
    enqueue(async () => {
      for (const step of steps) if (step && !(await exchange(step, true, true, sender))) return false;
      if (welcome && !(await exchange(command("/greet"), false, true, sender))) return false; // shown, no user bubble
      if (state.sender !== sender) return false;
      state.started = true;
      save();
      return true;
    }).finally(() => { if (startingFor === sender) startingFor = null; });
  }

  // --- pushed messages: the volunteers' answers, whenever they come -------------------------------
  /** Listen for the current conversation's pushed messages, and for no other: once it went to
   *  the volunteers' desk (a conversation that never did has nothing coming, so holds no stream
   *  open). From the last one shown on, so a reload repeats none and shows what came meanwhile. */
  function listen() {
    if (push && push.sender === state.sender) return;
    if (push) { // a new conversation: the old one's stream goes
      push.stopped = true;
      if (push.source) push.source.close();
      if (push.abort) push.abort.abort();
      clearTimeout(push.timer);
      push = null;
    }
    if (!config || !(state.desk || state.entries.some((e) => DESK_KINDS.includes(kindOf(e))))) return;
    push = { sender: state.sender, errors: 0, delay: 2000 };
    (typeof EventSource === "function" ? stream : poll)(push);
  }

  const pushUrl = (p, path, wait) => api(path) + "?" + new URLSearchParams(
    { sender: p.sender, after: String(state.pushed || 0), ...(wait ? { wait: String(wait) } : {}) });

  /** Server-sent events; the browser reconnects by itself with the last id it got. A stream it
   *  gave up on, or one that keeps failing (a proxy in the way), is replaced by long polling. */
  function stream(p) {
    const source = (p.source = new EventSource(pushUrl(p, "/api/events")));
    source.onopen = () => { p.errors = 0; };
    source.onmessage = (event) => {
      let message = null;
      try { message = JSON.parse(event.data); } catch { /* skipped, as a message without text */ }
      receive(p, event.lastEventId, message);
    };
    source.onerror = () => {
      if (p.stopped || (source.readyState !== EventSource.CLOSED && ++p.errors < 3)) return;
      source.close();
      p.source = null;
      poll(p);
    };
  }

  /** Long polling: each request waits up to POLL_WAIT_S seconds for news; failures back off. */
  async function poll(p) {
    while (!p.stopped) {
      const abort = (p.abort = new AbortController());
      const timer = setTimeout(() => abort.abort(), (POLL_WAIT_S + 15) * 1000);
      let pause = 0;
      try {
        const response = await fetch(pushUrl(p, "/api/messages", POLL_WAIT_S),
          { credentials: "omit", cache: "no-store", signal: abort.signal });
        if (response.status === 400 || response.status === 403) return; // this page may not listen
        if (!response.ok) throw new Error("HTTP " + response.status);
        const found = (await response.json()).messages;
        for (const item of Array.isArray(found) ? found : []) receive(p, item && item.id, item && item.message);
        p.delay = 2000;
      } catch {
        pause = p.delay;
        p.delay = Math.min(p.delay * 2, 60000);
      } finally {
        clearTimeout(timer);
      }
      if (pause && !p.stopped) await new Promise((resolve) => { p.timer = setTimeout(resolve, pause); });
    }
  }

  /** One pushed message (outbox id ``id``) into the chat, once, as the assistant's answers are. */
  function receive(p, id, message) {
    const number = Number(id);
    if (p !== push || p.sender !== state.sender || !Number.isSafeInteger(number) || number <= (state.pushed || 0)) return;
    state.pushed = number;
    const entry = toEntry(message);
    if (!entry) return save();
    addEntries([entry], true);
    if ($.panel.hidden) $.launcher.classList.add("news"); // the dot says that an answer came
  }

  // --- user actions -------------------------------------------------------------------------------
  const coarse = () => matchMedia("(pointer: coarse)").matches;

  function open(focus) {
    if (!state.open) { // a page that shows the open chat again is no use of it: the 24 hours run on
      state.open = true;
      save();
    }
    $.panel.hidden = false;
    $.launcher.hidden = true;
    $.launcher.classList.remove("news");
    $.launcher.setAttribute("aria-expanded", "true");
    syncViewport();
    reveal(null);
    if (!state.started && !state.entries.length) start(true); // else: a failed start has its retry button
    if (focus) (coarse() ? $.panel : $.input).focus(); // no keyboard popping up over the chat on phones
  }

  function close() {
    state.open = false;
    save();
    $.panel.hidden = true;
    $.launcher.hidden = false;
    $.launcher.setAttribute("aria-expanded", "false");
    $.launcher.focus();
  }

  function submit(event) {
    event.preventDefault();
    const text = $.input.value.trim();
    if (!text) return;
    $.input.value = "";
    grow();
    send(text);
  }

  function choose(entry, msg, button, event) {
    entry.done = true;
    msg.querySelectorAll(".chips").forEach(deactivate);
    const lang = /^\/choose_language\{"language":"(\w+)"\}$/.exec(button.payload);
    if (lang && supported(lang[1])) {
      state.chosenLang = lang[1];
      setUiLang(lang[1]);
    }
    send(command(button.payload), button.title, true);
    if (event.detail === 0) $.input.focus(); // keyboard users: the button is gone, keep focus in the chat
  }

  function retry(entry, event) {
    const i = state.entries.lastIndexOf(entry);
    if (i >= 0) state.entries.splice(i, 1);
    save();
    renderAll();
    if (!state.started) start(!state.entries.some((e) => e.who === "user"));
    const sender = state.sender;
    if (entry.retry) enqueue(() => exchange(entry.retry, false, false, sender));
    if (event.detail === 0) $.input.focus();
  }

  let pickTimer = 0;
  function pickLanguage() {
    const code = $.select.value;
    setUiLang(code);
    clearTimeout(pickTimer); // arrow keys on a closed select fire one change per step: send the last
    pickTimer = setTimeout(() => {
      if (code === state.chosenLang) return;
      state.chosenLang = code;
      const name = (config.languages.find((l) => l.code === code) || {}).name || code;
      send(command(`/choose_language{"language":"${code}"}`), name);
    }, 600);
  }

  function restart() {
    const inFlight = queue;
    owe(state.sender);
    state = freshState(state);
    state.open = true;
    queue = Promise.resolve(true); // replies still on their way for the old sender are dropped
    save();
    renderAll();
    listen(); // the old conversation's volunteers no longer reach this page
    start(true);
    $.input.focus();
    inFlight.then(forgetOwed); // after the old sender's last reply, which Rasa would store again
  }

  /** The 24 hours can also run out with the page open (a shared phone left on the chat): looked
   *  at every minute and whenever the page is shown again. Then as after a reload: closed, empty. */
  function expireIfUnused() {
    if (!config || pending || Date.now() - (state.touched || 0) < EXPIRE_MS) return;
    owe(state.sender);
    state = freshState();
    queue = Promise.resolve(true);
    store.set("session", null);
    uiLang = initialUiLang();
    applyTexts();
    renderAll();
    listen();
    const focused = !!shadow.activeElement;
    $.panel.hidden = true;
    $.launcher.hidden = false;
    $.launcher.setAttribute("aria-expanded", "false");
    if (focused) $.launcher.focus();
    forgetOwed();
  }
  setInterval(expireIfUnused, 60 * 1000);
  document.addEventListener("visibilitychange", () => { if (!document.hidden) expireIfUnused(); });

  function grow() {
    $.input.style.height = "auto";
    $.input.style.height = $.input.scrollHeight + 2 + "px";
  }

  $.input.addEventListener("input", grow);
  $.input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) { // 229: an IME is composing
      e.preventDefault();
      $.form.requestSubmit ? $.form.requestSubmit() : submit(e);
    }
  });
  const fullScreen = matchMedia("(max-width: 600px)");
  root.addEventListener("keydown", (e) => {
    if ($.panel.hidden) return;
    if (e.key === "Escape") { e.stopPropagation(); close(); }
    if (e.key === "Tab" && fullScreen.matches) trapFocus(e);
  });

  /** Full screen, the panel hides the page: Tab goes round inside it instead of behind it. */
  function trapFocus(e) {
    const items = [...$.panel.querySelectorAll("button, select, textarea, a[href], [tabindex='0']")]
      .filter((el) => el.getClientRects().length);
    const current = shadow.activeElement;
    const edge = e.shiftKey ? items[0] : items[items.length - 1];
    if (current === edge || current === $.panel || !items.includes(current)) {
      e.preventDefault();
      (e.shiftKey ? items[items.length - 1] : items[0]).focus();
    }
  }
  const modal = () => $.panel.setAttribute("aria-modal", String(fullScreen.matches));
  fullScreen.addEventListener ? fullScreen.addEventListener("change", modal) : fullScreen.addListener(modal);
  modal();
  $.log.addEventListener("scroll", () => {
    atBottom = $.log.scrollHeight - $.log.scrollTop - $.log.clientHeight < 48;
  });

  /** Phones: size the panel to the visible part of the screen, so the keyboard covers nothing. */
  function syncViewport() {
    const vv = window.visualViewport;
    if (!vv) return;
    root.style.setProperty("--vv-h", vv.height + "px");
    root.style.setProperty("--vv-top", vv.offsetTop + "px");
    if (atBottom) $.log.scrollTop = $.log.scrollHeight;
  }
  if (window.visualViewport) {
    visualViewport.addEventListener("resize", syncViewport);
    visualViewport.addEventListener("scroll", syncViewport);
  }
  // Whatever makes the log smaller (the keyboard, a taller input), the newest message stays in view.
  if (window.ResizeObserver) new ResizeObserver(() => { if (atBottom) $.log.scrollTop = $.log.scrollHeight; }).observe($.log);

  // Another tab of the same site chatted: show the same conversation here.
  window.addEventListener("storage", (e) => {
    if (e.key !== KEY + "session" || !config || pending) return;
    state = loadState();
    renderAll();
    listen();
  });

  // --- start ----------------------------------------------------------------------------------------
  function validConfig(c) {
    return !!c && Array.isArray(c.languages) && c.languages.length > 0 && !!c.texts && typeof c.texts === "object" &&
      Array.isArray(c.municipalities) && !!c.texts[c.languages[0].code];
  }

  let fontAdded = false;
  function addFont(path) {
    // @font-face is ignored inside a shadow root in Chrome: register the face with the document.
    if (fontAdded || !path || typeof FontFace !== "function" || !document.fonts) return;
    try {
      document.fonts.add(new FontFace(FONT_FAMILY, `url("${api(path)}") format("woff2")`,
        { unicodeRange: ETHIOPIC, weight: "100 900", display: "swap" }));
      fontAdded = true;
    } catch { /* Tigrinya then uses a system font, when there is one */ }
  }

  function boot(cfg) {
    const first = !config;
    config = cfg;
    addFont(cfg.font);
    uiLang = initialUiLang();
    applyTexts();
    if (!first) return;
    renderAll();
    listen();
    const show = () => {
      document.body.append(host);
      if (state.open) open(false);
    };
    if (document.body) show();
    else document.addEventListener("DOMContentLoaded", show); // the tag sits in <head> without defer
  }

  forgetOwed();
  const cached = store.get("config");
  if (validConfig(cached)) boot(cached);
  fetch(api("/api/widget-config"), { credentials: "omit" })
    .then((r) => (r.ok ? r.json() : Promise.reject(new Error("HTTP " + r.status))))
    .then((fresh) => {
      if (!validConfig(fresh)) throw new Error("bad configuration");
      store.set("config", fresh);
      boot(fresh);
    })
    .catch((error) => {
      if (!config) console.warn("Vraagbaak: the chat server cannot be reached", error);
    });
})();
