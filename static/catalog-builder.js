// The catalog's filter builder: rows of (field, operator, value) for metric thresholds, the
// quality score, tags, aliases and provenance, joined by AND ("all of") or OR ("any of").
// Each change calls `onChange`; the page writes the rows' text (catalog-filter.js) into the
// filter box, which is what is applied.

import { el } from './ui.js';
import { PROVENANCE_COMPLETE, PROVENANCE_INCOMPLETE, THRESHOLD_OPS } from './catalog-filter.js';

const KINDS = [
  ['metric', 'Metric'],
  ['quality', 'Quality score'],
  ['tag', 'Tag'],
  ['alias', 'Alias'],
  ['provenance', 'Provenance'],
];
const OP_LABELS = { '<': '<', '<=': '≤', '>': '>', '>=': '≥', '=': '=' };
const BLANK = {
  metric: { kind: 'metric', name: '', op: '<', value: '' },
  quality: { kind: 'quality', op: '>=', value: '' },
  tag: { kind: 'tag', key: '', op: '=', value: '' },
  alias: { kind: 'alias', value: '' },
  provenance: { kind: 'provenance', value: PROVENANCE_COMPLETE },
};

let serial = 0;

function labelled(text, control) {
  const id = `fb-${++serial}`;
  control.id = id;
  control.dataset.part = text;
  return el('span', { class: 'fb-part' }, el('label', { for: id }, text), control);
}

function select(options, value, onchange) {
  const node = el(
    'select',
    { onchange },
    options.map(([v, label]) => el('option', { value: v, selected: v === value }, label)),
  );
  node.value = value;
  return node;
}

function textInput(value, attrs, oninput) {
  return el('input', {
    type: 'text',
    value,
    autocomplete: 'off',
    spellcheck: 'false',
    oninput,
    ...attrs,
  });
}

/** The builder inside `root`; `onChange()` after every edit. */
export function createBuilder(root, onChange) {
  let rows = [];
  let join = 'and';
  let warningCodes = [];
  const list = el('ol', { class: 'fb-rows', 'aria-label': 'Conditions' });
  const joinAll = el('input', { type: 'radio', name: 'fb-join', value: 'and', id: 'fb-join-and' });
  const joinAny = el('input', { type: 'radio', name: 'fb-join', value: 'or', id: 'fb-join-or' });
  const joinBox = el(
    'fieldset',
    { class: 'plain fb-join' },
    el('legend', {}, 'Models matching'),
    el(
      'span',
      { class: 'check' },
      joinAll,
      el('label', { for: 'fb-join-and' }, 'all conditions (AND)'),
    ),
    el(
      'span',
      { class: 'check' },
      joinAny,
      el('label', { for: 'fb-join-or' }, 'any condition (OR)'),
    ),
  );
  const add = el('button', { type: 'button', id: 'fb-add' }, '+ Add condition');
  root.replaceChildren(joinBox, list, el('p', { class: 'fb-actions' }, add));

  for (const radio of [joinAll, joinAny]) {
    radio.addEventListener('change', () => {
      join = radio.value;
      onChange();
    });
  }
  add.addEventListener('click', () => {
    rows.push({ ...BLANK.metric });
    draw();
    list.lastElementChild?.querySelector('input, select')?.focus();
  });

  function edit(index, patch, redraw = false) {
    rows[index] = { ...rows[index], ...patch };
    if (redraw) {
      const part = document.activeElement?.dataset?.part;
      draw();
      if (part) list.children[index]?.querySelector(`[data-part="${part}"]`)?.focus();
    }
    onChange();
  }

  function rowControls(row, i) {
    const n = i + 1;
    const parts = [];
    if (row.kind === 'metric') {
      parts.push(
        labelled(
          'Metric',
          textInput(
            row.name,
            { list: 'metric-names', class: 'fb-metric', placeholder: 'rmse' },
            (e) => edit(i, { name: e.target.value }),
          ),
        ),
      );
    }
    if (row.kind === 'tag') {
      parts.push(
        labelled(
          'Tag key',
          textInput(row.key, { class: 'fb-key', placeholder: 'team' }, (e) =>
            edit(i, { key: e.target.value }),
          ),
        ),
      );
    }
    if (row.kind === 'metric' || row.kind === 'quality') {
      const ops = THRESHOLD_OPS.map((op) => [op, OP_LABELS[op]]);
      if (row.kind === 'metric') ops.push(['has', 'is present']);
      parts.push(
        labelled(
          'Is',
          select(ops, row.op, (e) => edit(i, { op: e.target.value }, true)),
        ),
      );
    }
    if (row.kind === 'tag') {
      parts.push(
        labelled(
          'Is',
          select(
            [
              ['=', '='],
              ['has', 'is present'],
            ],
            row.op,
            (e) => edit(i, { op: e.target.value }, true),
          ),
        ),
      );
    }
    const needsValue = !(row.op === 'has' && (row.kind === 'metric' || row.kind === 'tag'));
    if (row.kind === 'provenance') {
      const options = [
        [PROVENANCE_COMPLETE, 'is complete'],
        [PROVENANCE_INCOMPLETE, 'is incomplete'],
        ...warningCodes.map((code) => [code, `has warning ${code}`]),
      ];
      if (!options.some(([v]) => v === row.value))
        options.push([row.value, `has warning ${row.value}`]);
      parts.push(
        labelled(
          'Provenance',
          select(options, row.value, (e) => edit(i, { value: e.target.value })),
        ),
      );
    } else if (needsValue) {
      const numeric = row.kind === 'metric' || row.kind === 'quality';
      const attrs = numeric
        ? { inputmode: 'decimal', class: 'fb-value num', placeholder: '0.05' }
        : { class: 'fb-value', placeholder: row.kind === 'alias' ? 'production' : 'value' };
      parts.push(
        labelled(
          row.kind === 'alias' ? 'Alias name' : 'Value',
          textInput(row.value, attrs, (e) => edit(i, { value: e.target.value })),
        ),
      );
    }
    return el(
      'li',
      { class: 'fb-row', 'data-kind': row.kind, role: 'group', 'aria-label': `Condition ${n}` },
      labelled(
        'Field',
        select(KINDS, row.kind, (e) => {
          rows[i] = { ...BLANK[e.target.value] };
          draw();
          list.children[i]?.querySelector('select')?.focus();
          onChange();
        }),
      ),
      parts,
      el(
        'button',
        {
          type: 'button',
          class: 'fb-remove',
          'aria-label': `Remove condition ${n}`,
          title: 'Remove this condition',
          onclick: () => {
            rows.splice(i, 1);
            draw();
            (list.children[Math.min(i, rows.length - 1)]?.querySelector('select') || add).focus();
            onChange();
          },
        },
        '×',
      ),
    );
  }

  function draw() {
    list.replaceChildren(...rows.map(rowControls));
    joinAll.checked = join === 'and';
    joinAny.checked = join === 'or';
    joinBox.hidden = rows.length < 2;
  }

  return {
    rows: () => rows.map((r) => ({ ...r })),
    join: () => join,
    set(newRows, newJoin) {
      rows = newRows.map((r) => ({ ...r }));
      join = newJoin === 'or' ? 'or' : 'and';
      draw();
    },
    setWarningCodes(codes) {
      warningCodes = codes;
      draw();
    },
  };
}
