// The dashboard of the example training server: plain DOM code, no build
// step. Jobs are polled every 2 s; the selected job's events arrive over
// Server-Sent Events and feed two vega-lite charts (when the optional vega
// packages are installed) and an epoch table; predictions are read as an
// NDJSON stream.
'use strict';

const $ = (id) => document.getElementById(id);
const FINAL = ['done', 'cancelled', 'failed'];
const rows = new Map(); // job id → its <tr>
let jobs = [];
let selected = null; // { id, source, epochs, charts }

function say(id, text, bad = false) {
  const el = $(id);
  el.textContent = text;
  el.classList.toggle('bad', bad);
}

/** JSON from the API; throws an Error with the server's message (and status, Retry-After). */
async function api(method, path, body) {
  const res = await fetch(path, { method, body });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const err = new Error(data.error || `${method} ${path}: HTTP ${res.status}`);
    err.status = res.status;
    err.retryAfter = res.headers.get('retry-after');
    throw err;
  }
  return data;
}

const fmt = (x, digits = 4) => (typeof x === 'number' && Number.isFinite(x) ? x.toPrecision(digits) : '–');

// ---- jobs table ----

function button(text, label, cls, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  b.setAttribute('aria-label', label);
  b.className = cls;
  b.addEventListener('click', onClick);
  return b;
}

function rowFor(job) {
  let tr = rows.get(job.id);
  if (tr) return tr;
  tr = document.createElement('tr');
  tr.dataset.id = job.id;
  const name = document.createElement('th');
  name.scope = 'row';
  name.textContent = job.id;
  tr.append(name);
  for (const label of ['State', 'Epoch', 'Loss']) {
    const td = document.createElement('td');
    td.dataset.label = label; // shown before the value on phones, where the header row is hidden
    tr.append(td);
  }
  const actions = document.createElement('td');
  actions.className = 'actions';
  actions.append(
    button('Show', `Show job ${job.id}`, 'secondary show', () => select(job.id)),
    button('Cancel', `Cancel job ${job.id}`, 'danger cancel', () => cancel(job.id)),
    button('Delete', `Delete job ${job.id} and its files`, 'danger delete', () => remove(job.id)),
  );
  tr.append(actions);
  $('jobs-body').append(tr);
  rows.set(job.id, tr);
  return tr;
}

/** Updates the rows in place, so keyboard focus stays where it was. */
function renderJobs() {
  const seen = new Set(jobs.map((j) => j.id));
  for (const [id, tr] of rows) {
    if (!seen.has(id)) {
      tr.remove();
      rows.delete(id);
    }
  }
  for (const job of jobs) {
    const tr = rowFor(job);
    const [, state, epoch, loss] = tr.children;
    state.textContent = job.state;
    state.className = `state-${job.state}`;
    epoch.textContent = `${job.epoch} / ${job.epochs}`;
    loss.textContent = fmt(job.loss);
    tr.querySelector('.cancel').disabled = FINAL.includes(job.state);
    tr.classList.toggle('selected', selected?.id === job.id);
  }
  $('jobs-table').hidden = jobs.length === 0;
  $('no-jobs').hidden = jobs.length > 0;
}

async function refreshJobs() {
  try {
    jobs = await api('GET', '/jobs');
    renderJobs();
  } catch (err) {
    say('jobs-status', `Cannot list the jobs: ${err.message}`, true);
  }
}

async function cancel(id) {
  try {
    await api('POST', `/jobs/${id}/cancel`);
    say('jobs-status', `Cancelled job ${id}.`);
  } catch (err) {
    say('jobs-status', err.message, true);
  }
  await refreshJobs();
}

async function remove(id) {
  try {
    await api('DELETE', `/jobs/${id}`);
    say('jobs-status', `Deleted job ${id} and its files.`);
    if (selected?.id === id) unselect();
  } catch (err) {
    say('jobs-status', err.message, true);
  }
  await refreshJobs();
}

// ---- starting a job ----

$('start-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const file = $('train-file').files[0];
  if (!file) return say('start-status', 'Choose a training file first.', true);
  const query = new URLSearchParams(['dim', 'epoch', 'lr', 'thread'].map((k) => [k, $(k).value]));
  $('start-button').disabled = true;
  say('start-status', `Uploading ${file.name}…`);
  try {
    const { id } = await api('POST', `/jobs?${query}`, file);
    say('start-status', `Started job ${id}.`);
    await refreshJobs();
    select(id);
  } catch (err) {
    const wait = err.status === 429 && err.retryAfter ? ` Retry in ${err.retryAfter} s.` : '';
    say('start-status', `${err.message}.${wait}`, true);
  } finally {
    $('start-button').disabled = false;
  }
});

// ---- the selected job: events and charts ----

function chartSpec(field, title) {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 'container',
    height: 170,
    autosize: { type: 'fit', contains: 'padding' },
    data: { name: 'epochs' },
    mark: { type: 'line', point: true, tooltip: true },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1, format: 'd' } },
      y: { field, type: 'quantitative', title, scale: { zero: false } },
    },
  };
}

/** A vega view bound to `el`, or null when the chart libraries are not installed. */
function makeChart(el, field, title) {
  el.replaceChildren();
  if (!window.vega || !window.vegaLite) {
    el.textContent = 'Charts need the optional packages vega and vega-lite (npm install vega vega-lite); the table below has the figures.';
    el.classList.add('help');
    return null;
  }
  const spec = window.vegaLite.compile(chartSpec(field, title)).spec;
  const view = new window.vega.View(window.vega.parse(spec), { renderer: 'svg', container: el, hover: true });
  view.runAsync();
  return view;
}

function unselect() {
  selected?.source.close();
  selected = null;
  $('job-view').hidden = true;
  $('predict-view').hidden = true;
}

function select(id) {
  unselect();
  const source = new EventSource(`/jobs/${id}/events`);
  selected = {
    id,
    source,
    epochs: [],
    charts: [
      { view: makeChart($('loss-chart'), 'loss', 'loss'), el: $('loss-chart'), summary: $('loss-summary'), field: 'loss', name: 'Loss' },
      { view: makeChart($('speed-chart'), 'tokensPerSecond', 'tokens/s'), el: $('speed-chart'), summary: $('speed-summary'), field: 'tokensPerSecond', name: 'Tokens per second' },
    ],
  };
  const mine = selected;
  $('job-heading').textContent = `Job ${id}`;
  $('epochs-body').replaceChildren();
  $('job-error').hidden = true;
  $('job-progress').value = 0;
  for (const c of mine.charts) {
    c.summary.textContent = 'No epoch yet.';
    delete c.el.dataset.lastEpoch;
  }
  $('job-view').hidden = false;
  $('predict-view').hidden = false;
  say('predict-status', '');
  $('predict-results').replaceChildren();
  renderJobs();

  const data = (e) => JSON.parse(e.data);
  source.addEventListener('state', (e) => ($('job-state').textContent = data(e).state));
  source.addEventListener('progress', (e) => ($('job-progress').value = data(e).fraction));
  source.addEventListener('epoch', (e) => {
    if (selected === mine) addEpoch(mine, data(e));
  });
  for (const type of FINAL) {
    source.addEventListener(type, (e) => {
      // The job has ended: close, so the browser does not reconnect.
      source.close();
      const status = data(e);
      $('job-state').textContent = status.state;
      if (status.state === 'done') $('job-progress').value = 1;
      if (status.error) {
        $('job-error').textContent = `Job failed: ${status.error}`;
        $('job-error').hidden = false;
      }
      void refreshJobs();
    });
  }
  $('job-view').scrollIntoView({ block: 'nearest' });
}

function addEpoch(sel, row) {
  sel.epochs.push(row);
  const job = jobs.find((j) => j.id === sel.id);
  if (job) $('job-progress').value = Math.min(1, row.epoch / job.epochs);
  const tr = document.createElement('tr');
  for (const v of [row.epoch, fmt(row.loss), fmt(row.tokensPerSecond, 3), fmt(row.seconds, 3)]) {
    const td = document.createElement('td');
    td.textContent = String(v);
    tr.append(td);
  }
  $('epochs-body').append(tr);
  for (const c of sel.charts) {
    const first = sel.epochs[0][c.field];
    c.summary.textContent = `Epoch ${row.epoch}: ${c.name.toLowerCase()} ${fmt(row[c.field])} (epoch 1: ${fmt(first)}).`;
    const done = () => (c.el.dataset.lastEpoch = String(row.epoch));
    if (c.view) c.view.insert('epochs', [row]).runAsync().then(done);
    else done();
  }
}

// ---- predictions, read as an NDJSON stream ----

$('predict-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!selected) return;
  const { id } = selected;
  const list = $('predict-results');
  list.replaceChildren();
  $('predict-button').disabled = true;
  say('predict-status', 'Predicting…');
  try {
    const res = await fetch(`/jobs/${id}/predict?k=${encodeURIComponent($('predict-k').value)}`, { method: 'POST', body: $('predict-text').value });
    if (!res.ok) throw new Error((await res.json().catch(() => ({}))).error || `HTTP ${res.status}`);
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    let epoch = null;
    let count = 0;
    for (;;) {
      const { value, done } = await reader.read();
      if (value) buf += value;
      let at;
      while ((at = buf.indexOf('\n')) >= 0) {
        const msg = JSON.parse(buf.slice(0, at));
        buf = buf.slice(at + 1);
        if (msg.error) throw new Error(msg.error);
        if (msg.checkpointEpoch !== undefined) epoch = msg.checkpointEpoch;
        if (msg.predictions) {
          const li = document.createElement('li');
          li.value = msg.line + 1;
          li.append(...msg.predictions.flatMap((p, i) => [i ? ', ' : '', Object.assign(document.createElement('code'), { textContent: p.label }), ` ${(100 * p.prob).toFixed(1)}%`]));
          list.append(li);
          count++;
        }
      }
      if (done) break;
    }
    say('predict-status', `${count} line${count === 1 ? '' : 's'} classified by the checkpoint of epoch ${epoch}.`);
  } catch (err) {
    say('predict-status', `Prediction failed: ${err.message}`, true);
  } finally {
    $('predict-button').disabled = false;
  }
});

void refreshJobs();
setInterval(() => {
  if (!document.hidden) void refreshJobs();
}, 2000);
