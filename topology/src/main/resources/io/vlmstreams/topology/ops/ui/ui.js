// vlm-streams live view: plain JavaScript, no build step, no network beyond this server.
// Entries arrive over Server-Sent Events (/ui/events) as their transactions commit; the page keeps
// the newest max_entries, newest first. Every value is set as text (never as HTML).
(function () {
  'use strict';
  var STAGES = ['queued', 'preprocess', 'encode', 'decode'];
  var list = document.getElementById('entries');
  var pauseButton = document.getElementById('pause');
  var filters = {
    pipeline: document.getElementById('f-pipeline'),
    source: document.getElementById('f-source'),
    outcome: document.getElementById('f-outcome')
  };
  var maxEntries = 200;
  var paused = false;
  var held = [];
  var known = { pipeline: {}, source: {} };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function remember(kind, value) {
    if (!value || known[kind][value]) { return; }
    known[kind][value] = true;
    var option = el('option', null, value);
    option.value = value;
    filters[kind].appendChild(option);
  }

  function thumbnail(image, alt) {
    var box = el('div', 'thumb');
    if (image && image.src) {
      var img = el('img');
      img.src = image.src;
      img.alt = alt;
      img.loading = 'eager';
      // Evicted from the view's store, or bytes no browser decodes (often why it was dead-lettered).
      img.onerror = function () { box.replaceChildren(el('span', 'note', 'image cannot be shown')); };
      box.appendChild(img);
    } else {
      box.appendChild(el('span', 'note', image && image.note ? image.note : 'no image'));
    }
    return box;
  }

  function timeline(t) {
    var total = 0;
    STAGES.forEach(function (s) { total += Math.max(0, t[s] || 0); });
    var bar = el('div', 'timeline');
    bar.setAttribute('role', 'img');
    var words = STAGES.map(function (s) { return s + ' ' + (t[s] || 0) + ' ms'; }).join(', ');
    bar.setAttribute('aria-label', 'timeline: ' + words);
    STAGES.forEach(function (s) {
      var seg = el('span', 't-' + s);
      seg.style.width = (total > 0 ? (100 * Math.max(0, t[s] || 0) / total) : 25) + '%';
      seg.title = s + ' ' + (t[s] || 0) + ' ms';
      bar.appendChild(seg);
    });
    var legend = el('div', 'meta legend');
    STAGES.forEach(function (s) {
      legend.appendChild(el('i', 't-' + s));
      legend.appendChild(document.createTextNode(s + ' ' + (t[s] || 0) + ' ms'));
    });
    var box = el('div', 'timings');
    box.appendChild(bar);
    box.appendChild(legend);
    return box;
  }

  function labels(scores) {
    // Scores are length-normalized log-probabilities; bars show each label's share (softmax).
    var max = Math.max.apply(null, scores.map(function (s) { return s.score; }));
    var sum = 0;
    scores.forEach(function (s) { sum += Math.exp(s.score - max); });
    var ul = el('ul', 'labels');
    ul.setAttribute('aria-label', 'label scores');
    scores.forEach(function (s) {
      var share = Math.exp(s.score - max) / sum;
      var li = el('li');
      li.appendChild(el('span', null, s.label));
      var bar = el('span', 'bar');
      var fill = el('span');
      fill.style.width = (100 * share).toFixed(1) + '%';
      bar.appendChild(fill);
      li.appendChild(bar);
      li.appendChild(el('span', null, (100 * share).toFixed(1) + '% (' + s.score.toFixed(2) + ')'));
      ul.appendChild(li);
    });
    return ul;
  }

  function card(entry) {
    var dead = entry.kind === 'dead_letter';
    var article = el('article', 'entry ' + entry.kind);
    article.tabIndex = 0;
    article.dataset.seq = entry.seq;
    article.dataset.kind = entry.kind;
    article.dataset.pipeline = entry.pipeline || '';
    article.dataset.source = entry.source || '';
    article.dataset.eventId = entry.event_id || '';
    var name = (entry.attributes && entry.attributes.image) || entry.event_id || 'record';
    article.setAttribute('aria-label', (dead ? 'dead letter ' : 'answer ') + name);
    article.appendChild(thumbnail(entry.image, 'image of ' + name));
    var body = el('div', 'body');
    var top = el('div', 'top');
    top.appendChild(el('span', 'badge', dead ? 'dead letter' : 'answer'));
    top.appendChild(el('span', null, 'pipeline ' + entry.pipeline));
    if (entry.source) { top.appendChild(el('span', null, 'source ' + entry.source)); }
    if (entry.attributes && entry.attributes.image) { top.appendChild(el('span', null, entry.attributes.image)); }
    top.appendChild(el('time', null, new Date(entry.at).toLocaleTimeString()));
    body.appendChild(top);
    if (entry.prompt) { body.appendChild(el('p', 'prompt', entry.prompt)); }
    if (dead) {
      body.appendChild(el('p', 'reason', entry.reason));
      body.appendChild(el('p', 'message', entry.message));
      body.appendChild(el('div', 'meta', 'from ' + entry.origin + (entry.event_id ? ' · event ' + entry.event_id : '')));
    } else {
      body.appendChild(el('p', 'answer-text', entry.text));
      if (entry.labels) { body.appendChild(labels(entry.labels)); }
      var tk = entry.tokens;
      body.appendChild(el('div', 'meta tokens', 'finish ' + entry.finish + ' · tokens: prompt ' + tk.prompt
        + ' (image ' + tk.image + '), generated ' + tk.generated));
      body.appendChild(timeline(entry.timings));
    }
    article.appendChild(body);
    article._record = entry.record;
    return article;
  }

  function visible(article) {
    var d = article.dataset;
    return (!filters.pipeline.value || d.pipeline === filters.pipeline.value)
      && (!filters.source.value || d.source === filters.source.value)
      && (!filters.outcome.value || d.kind === filters.outcome.value);
  }

  function applyFilters() {
    var shown = 0;
    Array.prototype.forEach.call(list.children, function (li) {
      var ok = visible(li.firstChild);
      li.hidden = !ok;
      if (ok) { shown++; }
    });
    document.getElementById('shown').textContent = shown + ' of ' + list.children.length + ' shown'
      + (paused ? ' · paused, ' + held.length + ' new held' : '');
  }

  function add(entry) {
    remember('pipeline', entry.pipeline);
    remember('source', entry.source);
    if (paused) {
      held.push(entry);
      if (held.length > maxEntries) { held.shift(); }
      applyFilters();
      return;
    }
    var li = el('li');
    var article = card(entry);
    li.appendChild(article);
    li.hidden = !visible(article);
    list.insertBefore(li, list.firstChild);
    while (list.children.length > maxEntries) { list.removeChild(list.lastChild); }
  }

  function figures(s) {
    function set(id, v) { document.getElementById(id).textContent = (v === undefined || v === null) ? '–' : v; }
    set('s-in', s.events_in);
    set('s-answered', s.answered);
    var dead = s.dead_lettered || {};
    var total = 0;
    var parts = Object.keys(dead).map(function (r) { total += dead[r]; return r + ' ' + dead[r]; });
    set('s-dead', total + (parts.length ? ' (' + parts.join(', ') + ')' : ''));
    set('s-rate', s.answers_per_s);
    set('s-decoding', s.decoding);
    set('s-model', s.model);
    set('s-provider', s.provider);
    var sources = s.sources || [];
    var section = document.getElementById('sources');
    section.hidden = sources.length === 0;
    var ul = document.getElementById('source-list');
    ul.replaceChildren();
    sources.forEach(function (src) {
      var li = el('li');
      if (src.image && src.image.src) {
        var img = el('img');
        img.src = src.image.src;
        img.alt = 'latest frame of ' + src.source;
        li.appendChild(img);
      }
      li.appendChild(el('span', null, src.source + ' · ' + (src.age_ms / 1000).toFixed(1) + ' s ago'));
      ul.appendChild(li);
    });
  }

  function open(article) {
    document.getElementById('detail-json').textContent = JSON.stringify(article._record, null, 2);
    var dialog = document.getElementById('detail');
    dialog._opener = article;
    dialog.showModal();
  }

  list.addEventListener('click', function (e) {
    var article = e.target.closest('article');
    if (article) { open(article); }
  });
  list.addEventListener('keydown', function (e) {
    var article = e.target.closest('article');
    if (article && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); open(article); }
  });
  document.getElementById('detail').addEventListener('close', function () {
    if (this._opener) { this._opener.focus(); }
  });
  Object.keys(filters).forEach(function (k) { filters[k].addEventListener('change', applyFilters); });
  pauseButton.addEventListener('click', function () {
    paused = !paused;
    pauseButton.setAttribute('aria-pressed', String(paused));
    pauseButton.textContent = paused ? 'Resume' : 'Pause';
    if (!paused) {
      var pending = held;
      held = [];
      pending.forEach(add);
    }
    applyFilters();
  });

  var status = document.getElementById('status');
  var source = new EventSource('/ui/events');
  source.onopen = function () { status.textContent = 'live: entries appear as their transactions commit'; };
  source.onerror = function () { status.textContent = 'connection lost; reconnecting…'; };
  source.addEventListener('hello', function (e) {
    var hello = JSON.parse(e.data);
    maxEntries = hello.max_entries || maxEntries;
    // A reconnect replays what the server holds: start from it.
    list.replaceChildren();
    held = [];
  });
  source.addEventListener('entry', function (e) { add(JSON.parse(e.data)); applyFilters(); });
  source.addEventListener('stats', function (e) { figures(JSON.parse(e.data)); });
}());
