// A tiny DOM builder. Everything is made with createElement and textContent:
// no HTML strings are ever parsed (the page runs under Trusted Types 'none').

/**
 * h('button', {class: 'primary', onclick: fn, type: 'submit'}, 'Text', child)
 * Attribute values are set as attributes, except: class, on<event> (listeners),
 * and a few properties (value, checked, disabled, hidden, htmlFor). Children:
 * strings, numbers, nodes, arrays of those; null/false are skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'style') throw new Error('inline styles are refused by the CSP');
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else if (name === 'class') {
      el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
    } else if (name === 'for') {
      el.htmlFor = value;
    } else if (['value', 'checked', 'disabled', 'hidden', 'selected', 'required', 'multiple'].includes(name)) {
      el[name] = value;
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Removes every child of `el`, then appends `children`. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

let nextId = 0;
/** A unique id for label/input pairs. */
export function uid(prefix = 'f') { nextId += 1; return `${prefix}-${nextId}`; }

/**
 * A labelled form field. kind: an <input> type, 'select' (options: [[value, label]])
 * or 'textarea'. Returns {row, input}.
 */
export function field(label, { name, kind = 'text', options = [], hint, ...attrs } = {}) {
  const id = uid(name ?? 'f');
  let input;
  if (kind === 'select') {
    input = h('select', { id, name, ...attrs },
              options.map(([value, text]) => h('option', { value }, text)));
  } else if (kind === 'textarea') {
    input = h('textarea', { id, name, ...attrs });
  } else {
    input = h('input', { id, name, type: kind, ...attrs });
  }
  const hintId = hint ? `${id}-hint` : null;
  if (hintId) input.setAttribute('aria-describedby', hintId);
  const row = h('div', { class: kind === 'checkbox' ? 'field field-check' : 'field' },
                kind === 'checkbox' ? [input, h('label', { for: id }, label)]
                                    : [h('label', { for: id }, label), input],
                hint ? h('p', { class: 'hint', id: hintId }, hint) : null);
  return { row, input };
}

/** Starts a download of `blob` named `filename` (object URL + <a download>). */
export function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: filename, class: 'visually-hidden' }, filename);
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

/**
 * What was typed or chosen in the named fields under `root`, by name in
 * document order, for restoreTyped after the same view is drawn again.
 */
export function typedValues(root) {
  const typed = new Map();
  for (const el of root.querySelectorAll('input[name], textarea[name], select[name]')) {
    if (el.type === 'file') continue;  // cannot be set back
    const values = typed.get(el.name) ?? [];
    // A choice still waiting for its option (restoreWhenOffered) is the one
    // typed: a second switch before the options arrive keeps it.
    const pending = el.tagName === 'SELECT' ? el.dataset.pending : undefined;
    values.push(el.type === 'checkbox' || el.type === 'radio' ? el.checked : pending ?? el.value);
    typed.set(el.name, values);
  }
  return typed;
}

/**
 * Puts typedValues back into the fields of the same names and order. A
 * choice a select does not offer yet (options that come with a later
 * answer: the units) is put back when they arrive, unless it was changed
 * meanwhile; one never offered is left as drawn rather than emptied.
 */
export function restoreTyped(root, typed) {
  const seen = new Map();
  for (const el of root.querySelectorAll('input[name], textarea[name], select[name]')) {
    const index = seen.get(el.name) ?? 0;
    seen.set(el.name, index + 1);
    const value = typed.get(el.name)?.[index];
    if (value === undefined || el.type === 'file') continue;
    const checkable = el.type === 'checkbox' || el.type === 'radio';
    if ((checkable ? el.checked : el.value) === value) continue;
    if (el.tagName === 'SELECT' && !offers(el, value)) {
      if (typeof MutationObserver !== 'undefined') restoreWhenOffered(el, value);
      continue;
    }
    setAsTyped(el, checkable, value);
  }
}

function offers(select, value) {
  return [...select.options].some((option) => option.value === value);
}

function setAsTyped(el, checkable, value) {
  if (checkable) el.checked = value;
  else el.value = value;
  // As if typed: what the view does on a change (a field it makes
  // required, say) follows the value.
  el.dispatchEvent(new Event('input', { bubbles: true }));
  el.dispatchEvent(new Event('change', { bubbles: true }));
}

function restoreWhenOffered(select, value) {
  select.dataset.pending = value;
  const done = () => {
    observer.disconnect();
    delete select.dataset.pending;
  };
  const observer = new MutationObserver(() => {
    if (!offers(select, value)) return;
    done();
    setAsTyped(select, false, value);
  });
  observer.observe(select, { childList: true });
  // A choice the person made meanwhile stands.
  select.addEventListener('change', done, { once: true });
}
