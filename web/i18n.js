// Every visible string of the console goes through t(). Chinese is the default; the choice of
// English is kept in localStorage so it survives reloads and logins. The tables themselves are in
// i18n_zh.js and i18n_en.js.

import { zh } from './i18n_zh.js';
import { en } from './i18n_en.js';

const KEY = 'vgi.lang';

const dictionaries = { zh, en };

export function getLang() {
  const v = localStorage.getItem(KEY);
  return v === 'en' ? 'en' : 'zh';
}

export function setLang(lang) {
  localStorage.setItem(KEY, lang === 'en' ? 'en' : 'zh');
  document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
}

// t('key', {name: 'x'}) -> the string in the current language with {name} filled in. An unknown
// key falls back to Chinese, then to the key itself (so a missing entry is visible, not blank).
export function t(key, params) {
  const lang = getLang();
  let s = dictionaries[lang][key] ?? zh[key] ?? key;
  if (params) {
    s = s.replace(/\{(\w+)\}/g, (m, k) => (params[k] !== undefined && params[k] !== null ? String(params[k]) : m));
  }
  return s;
}

// Translates a static subtree: data-i18n (text), data-i18n-placeholder, data-i18n-title.
export function applyI18n(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
  document.title = t('app.title');
}

// The string for a key in a given language, without touching localStorage (used by tests).
export function translate(lang, key) {
  return (dictionaries[lang] || zh)[key] ?? key;
}

export const KEYS = { zh: Object.keys(zh), en: Object.keys(en) };
