/*
 * The clinic app: find a dyad, record a visit with the server's visit Questionnaire (rendered by NLM LHC-Forms) and
 * see the dyad: infant weights against the birth weight, the mother's temperatures and the current cards of the
 * patient-view service. Everything is read from and written to this server's /fhir and /app/api; the only patient
 * data in URLs are Patient ids.
 *
 * Launched from an EHR (SMART App Launch, launch.html then ready.html, with the SMART JavaScript client fhirclient),
 * every request carries the launch's access token; on the open default there is no launch and no token.
 */
const LactationApp = (() => {
  const FHIR_BASE = new URL('../fhir/', location.href).href;
  // The dyad's patient-view cards, evaluated by the server for the patient the page shows (CDS client JWTs are for
  // EHRs; the app is authorized by its FHIR token, or by nothing on the open default).
  const CARDS = new URL('api/cards', location.href).href;
  const SMART_LAUNCH = new URL('api/smart-launch', location.href).href;
  const QUESTIONNAIRE = 'http://lactation-cds.org/fhir/Questionnaire/lactation-visit';
  const MOTHER = 'http://terminology.hl7.org/CodeSystem/v3-RoleCode|MTH';
  const BIRTH_TIME = 'http://hl7.org/fhir/StructureDefinition/patient-birthTime';
  const TIMEOUT_MS = 60000; // a loaded server may take a while; never wait forever
  // The loss lines drawn on the chart are the thresholds of rule RF-INFANT-WEIGHT-LOSS as the server's knowledge has
  // them (its CQL parameters), never numbers written here.
  const THRESHOLDS = new URL('api/weight-loss-thresholds', location.href).href;
  // UCUM weight units to grams, as LactationCommon.cql converts them.
  const GRAMS = { g: 1, kg: 1000, '[lb_av]': 453.59237, '[oz_av]': 28.349523125 };

  /* ------------------------------------------------------------------ SMART launch */

  /** fhirclient keeps the launch in this tab's sessionStorage under this key; no key, no launch (the open default). */
  const SMART_KEY = 'SMART_KEY';
  let launched = null;

  /** The launch's fhirclient Client in this tab, or null when the app was not launched from an EHR. */
  function smartClient() {
    if (launched === null) {
      launched = sessionStorage.getItem(SMART_KEY) && window.FHIR
        ? withDeadline(FHIR.oauth2.ready(), 'the SMART launch state') : Promise.resolve(null);
    }
    return launched;
  }

  /** fhirclient's own requests have no deadline of ours: the page gives up and says so. */
  function withDeadline(promise, what) {
    let timer;
    const late = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer for ${what} within ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS); });
    return Promise.race([promise, late]).finally(() => clearTimeout(timer));
  }

  /** The EHR launch (launch.html?iss=...&launch=...): client id and scopes from the server, then the authorization server. */
  async function launchPage() {
    const status = el('launch-status');
    try {
      const config = await request(SMART_LAUNCH);
      await withDeadline(FHIR.oauth2.authorize({ clientId: config.clientId, scope: config.scope, redirectUri: config.redirectUri }),
        'the FHIR server\'s SMART configuration');
    } catch (e) {
      status.className = 'error';
      text(status, 'Cannot launch: ' + e.message);
    }
  }

  /** The redirect after authorization: the token for the launch, then the dyad view of the launch patient. */
  async function readyPage() {
    const status = el('launch-status');
    try {
      const client = await withDeadline(FHIR.oauth2.ready(), 'the access token');
      const patient = client.patient.id;
      if (!patient) throw new Error('the EHR launched the app without a patient in context');
      location.replace(`dyad.html?patient=${encodeURIComponent(patient)}`);
    } catch (e) {
      status.className = 'error';
      text(status, 'Launch not completed: ' + e.message);
    }
  }

  async function request(url, init = {}) {
    const client = await smartClient();
    // The token goes only to this server (every URL the app calls is on its own origin).
    const authorization = client && new URL(url).origin === location.origin ? client.getAuthorizationHeader() : null;
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS),
      headers: { Accept: 'application/fhir+json, application/json', ...(authorization ? { Authorization: authorization } : {}),
        ...(init.headers || {}) } });
    const text = await response.text();
    let body = null;
    try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
    if (!response.ok) {
      const expired = response.status === 401 && client ? 'the launch token was refused or has expired: launch the app again from the EHR. ' : '';
      const error = new Error(expired + (outcomeText(body) || `${response.status} ${response.statusText}`));
      error.status = response.status;
      error.body = body;
      throw error;
    }
    return body;
  }

  const fhir = (path, init) => request(FHIR_BASE + path, init);
  const resources = (bundle, type) => (bundle.entry || []).map(e => e.resource).filter(r => r && (!type || r.resourceType === type));
  const idOf = reference => reference ? reference.split('/').slice(-1)[0] : null;
  const params = () => new URLSearchParams(location.search);
  const el = id => document.getElementById(id);

  function outcomeText(body) {
    if (!body) return null;
    if (body.resourceType === 'OperationOutcome') return (body.issue || []).map(i => i.diagnostics).filter(Boolean).join('\n');
    return body.message || null;
  }

  function nameOf(patient) {
    const name = (patient.name || [])[0];
    if (!name) return `Patient/${patient.id}`;
    return name.text || [...(name.given || []), name.family].filter(Boolean).join(' ');
  }

  function text(node, value) { node.textContent = value; return node; }
  function cell(row, value) { return text(row.insertCell(), value); }

  /* ------------------------------------------------------------------ dyads */

  /** Dyads in a bundle of mother RelatedPersons with their infants (_include) and mothers (_revinclude Patient:link). */
  function dyadsOf(bundle) {
    const patients = resources(bundle, 'Patient');
    return resources(bundle, 'RelatedPerson').map(person => ({
      infant: patients.find(p => p.id === idOf(person.patient.reference)),
      mother: patients.find(p => (p.link || []).some(l => idOf(l.other.reference) === person.id)),
    })).filter(d => d.infant && d.mother);
  }

  const DYAD_INCLUDES = '&_include=RelatedPerson:patient&_revinclude=Patient:link&_count=100';

  async function findDyads(name, birthdate) {
    if (!name && !birthdate) {
      return dyadsOf(await fhir(`RelatedPerson?relationship=${encodeURIComponent(MOTHER)}${DYAD_INCLUDES}`));
    }
    const query = new URLSearchParams();
    if (name) query.set('name', name);
    if (birthdate) query.set('birthdate', birthdate);
    query.set('_count', '100');
    return dyadsOfPatients(resources(await fhir(`Patient?${query}`), 'Patient'));
  }

  /** The dyads the patients are in, as mother (Patient.link to her RelatedPerson) or as infant. */
  async function dyadsOfPatients(found) {
    if (!found.length) return [];
    const links = found.flatMap(p => (p.link || []).map(l => idOf(l.other.reference)));
    const bundles = [await fhir(`RelatedPerson?patient=${found.map(p => 'Patient/' + p.id).join(',')}${DYAD_INCLUDES}`)];
    if (links.length) bundles.push(await fhir(`RelatedPerson?_id=${links.join(',')}${DYAD_INCLUDES}`));
    const seen = new Set();
    return bundles.flatMap(dyadsOf).filter(d => !seen.has(d.mother.id + '|' + d.infant.id) && seen.add(d.mother.id + '|' + d.infant.id));
  }

  function dyadQuery(mother, infant) { return `mother=${encodeURIComponent(mother)}&infant=${encodeURIComponent(infant)}`; }

  function searchPage() {
    const form = el('search');
    const show = async () => {
      const status = el('search-status');
      const body = el('dyads').tBodies[0];
      body.replaceChildren();
      text(status, 'Searching…');
      try {
        const dyads = await findDyads(el('name').value.trim(), el('birthdate').value);
        text(status, dyads.length ? `${dyads.length} found` : 'No mother and baby found.');
        for (const dyad of dyads) {
          const row = body.insertRow();
          row.dataset.mother = dyad.mother.id;
          cell(row, nameOf(dyad.mother));
          cell(row, nameOf(dyad.infant));
          cell(row, dyad.infant.birthDate || '');
          const actions = row.insertCell();
          const q = dyadQuery(dyad.mother.id, dyad.infant.id);
          actions.innerHTML = `<a class="record-visit" href="visit.html?${q}">Record a visit</a> · <a class="open-dyad" href="dyad.html?${q}">Dyad view</a>`;
        }
      } catch (e) {
        status.className = 'error';
        text(status, 'Search failed: ' + e.message);
      }
    };
    form.addEventListener('submit', event => { event.preventDefault(); show(); });
    show();
  }

  /* ------------------------------------------------------------------ visit form */

  /** The published visit Questionnaire with the highest version. */
  async function visitQuestionnaire() {
    const all = resources(await fhir(`Questionnaire?url=${encodeURIComponent(QUESTIONNAIRE)}`), 'Questionnaire');
    if (!all.length) throw new Error('the visit Questionnaire is not published on this server');
    const parts = v => v.split('.').map(Number);
    all.sort((a, b) => { const x = parts(a.version), y = parts(b.version);
      for (let i = 0; i < Math.max(x.length, y.length); i++) { if ((x[i] || 0) !== (y[i] || 0)) return (y[i] || 0) - (x[i] || 0); } return 0; });
    return all[0];
  }

  function localDateTime(date) {
    const offset = -date.getTimezoneOffset();
    const pad = n => String(Math.floor(Math.abs(n))).padStart(2, '0');
    const local = new Date(date.getTime() + offset * 60000).toISOString().slice(0, 19);
    return `${local}${offset >= 0 ? '+' : '-'}${pad(offset / 60)}:${pad(offset % 60)}`;
  }

  function findItem(items, linkId) {
    for (const item of items || []) {
      if (item.linkId === linkId) return item;
      const inner = findItem(item.item, linkId);
      if (inner) return inner;
    }
    return null;
  }

  async function visitPage() {
    const mother = params().get('mother');
    const infant = params().get('infant');
    el('dyad-link').href = `dyad.html?${dyadQuery(mother, infant)}`;
    const status = el('form-status');
    let questionnaire;
    try {
      const [q, m, i] = await Promise.all([visitQuestionnaire(), fhir(`Patient/${encodeURIComponent(mother)}`), fhir(`Patient/${encodeURIComponent(infant)}`)]);
      questionnaire = q;
      text(el('dyad-title'), `Visit: ${nameOf(m)} and ${nameOf(i)} (born ${i.birthDate})`);
    } catch (e) {
      status.className = 'error';
      text(status, 'Cannot open the form: ' + e.message);
      return;
    }
    // The infant is chosen already (the page is for one dyad): the form shows the rest and the answer is added on save.
    const shown = JSON.parse(JSON.stringify(questionnaire));
    const visitGroup = findItem(shown.item, 'visit');
    visitGroup.item = visitGroup.item.filter(item => item.linkId !== 'infant');
    const now = localDateTime(new Date());
    findItem(shown.item, 'visit-time').initial = [{ valueDateTime: now }];
    const container = el('visit-form');
    let form = shown;
    try {
      form = await prefilled(questionnaire, shown, infant, now);
    } catch (e) {
      status.className = 'error';
      text(status, 'Nothing filled in from the record: ' + e.message);
    }
    try {
      await LForms.Util.addFormToPage(form, container, {});
    } catch (e) {
      status.className = 'error';
      text(status, 'Cannot show the form: ' + e.message);
      return;
    }
    const visitId = 'urn:uuid:' + crypto.randomUUID(); // one per opened form: saving twice stores the visit once
    el('submit-visit').addEventListener('click', () => submitVisit(questionnaire, mother, infant, visitId));
  }

  /**
   * The form with what the server already knows (SDC $populate for the infant: names, birth weight and time, last
   * weight) merged in as answers; the infant item stays out of the form and the visit time is now.
   */
  async function prefilled(questionnaire, shown, infant, now) {
    const response = await fhir(`Questionnaire/${encodeURIComponent(questionnaire.id)}/$populate?subject=`
      + encodeURIComponent(`Patient/${infant}`));
    const visitGroup = (response.item || []).find(item => item.linkId === 'visit');
    if (visitGroup) {
      visitGroup.item = (visitGroup.item || []).filter(item => item.linkId !== 'infant');
      visitGroup.item.unshift({ linkId: 'visit-time', answer: [{ valueDateTime: now }] });
    }
    const lforms = LForms.Util.convertFHIRQuestionnaireToLForms(shown, 'R4');
    return LForms.Util.mergeFHIRDataIntoLForms('QuestionnaireResponse', response, lforms, 'R4');
  }

  async function submitVisit(questionnaire, mother, infant, visitId) {
    const status = el('submit-status');
    const container = el('visit-form');
    document.querySelectorAll('.server-error').forEach(node => node.remove());
    const invalid = LForms.Util.checkValidity(container);
    if (invalid && invalid.length) {
      status.className = 'error';
      text(status, 'Please correct the answers marked in the form: ' + invalid.join('; '));
      return;
    }
    const response = LForms.Util.getFormFHIRData('QuestionnaireResponse', 'R4', container);
    response.questionnaire = `${questionnaire.url}|${questionnaire.version}`;
    response.status = 'completed';
    response.subject = { reference: `Patient/${mother}` };
    response.identifier = { system: 'urn:ietf:rfc:3986', value: visitId };
    response.authored = new Date().toISOString();
    // What was on record is shown for context; this visit's response holds only this visit's answers.
    response.item = (response.item || []).filter(item => item.linkId !== 'on-record');
    let visitGroup = response.item.find(item => item.linkId === 'visit');
    if (!visitGroup) { visitGroup = { linkId: 'visit', item: [] }; response.item.unshift(visitGroup); }
    visitGroup.item = (visitGroup.item || []).filter(item => item.linkId !== 'infant');
    visitGroup.item.push({ linkId: 'infant', answer: [{ valueReference: { reference: `Patient/${infant}` } }] });
    text(status, 'Saving…');
    status.className = '';
    try {
      const result = await fhir('QuestionnaireResponse/$submit-visit', {
        method: 'POST', headers: { 'Content-Type': 'application/fhir+json' }, body: JSON.stringify(response) });
      const observations = (result.entry || []).filter(e => (e.response.location || '').startsWith('Observation/')).length;
      status.className = 'ok';
      status.innerHTML = '';
      text(status, `Visit saved: ${observations} observation${observations === 1 ? '' : 's'} recorded. `);
      const link = document.createElement('a');
      link.id = 'open-dyad-after-save';
      link.href = `dyad.html?${dyadQuery(mother, infant)}`;
      text(link, 'Open the dyad view');
      status.appendChild(link);
    } catch (e) {
      status.className = 'error';
      text(status, 'Not saved: ' + e.message);
      showItemErrors(e.body, container);
    }
  }

  /** Puts each of the server's item messages next to its item in the form. */
  function showItemErrors(outcome, container) {
    for (const issue of (outcome && outcome.issue) || []) {
      const match = /^item '([^']+)' (.*)$/s.exec(issue.diagnostics || '');
      if (!match) continue;
      const input = container.querySelector(`[id^="${CSS.escape(match[1])}/"]`);
      const row = input && (input.closest('lhc-item') || input.parentElement);
      if (!row) continue;
      const message = document.createElement('div');
      message.className = 'error server-error';
      message.dataset.linkId = match[1];
      text(message, match[2]);
      row.appendChild(message);
    }
  }

  /* ------------------------------------------------------------------ dyad view */

  function birthOf(infant) {
    const time = ((infant._birthDate || {}).extension || []).find(e => e.url === BIRTH_TIME);
    return time ? new Date(time.valueDateTime) : new Date(infant.birthDate + 'T00:00:00');
  }

  const effective = o => new Date(o.effectiveDateTime || (o.effectivePeriod || {}).start);
  const grams = o => { const q = o.valueQuantity || {}; return q.system === 'http://unitsofmeasure.org' && GRAMS[q.code] ? Math.round(q.value * GRAMS[q.code]) : null; };
  const valid = o => ['final', 'amended', 'corrected'].includes(o.status);

  /** The server's patient-view cards for a patient, with the dyad (member ids) they were computed for. */
  const cardsOf = patient => request(`${CARDS}?patient=${encodeURIComponent(patient)}`);

  /**
   * The dyad to show and its cards: mother and infant from the page's address, or the dyad of one patient as the
   * server found it for the cards (a card's link and a SMART launch name only one patient: ?patient=id). A mother of
   * twins sees the first infant with links to the others. The server refuses a patient the launch may not see.
   */
  async function dyadToShow() {
    const patient = params().get('patient');
    if (!patient && !(params().get('mother') && params().get('infant'))) {
      throw new Error('no patient in the address: open the view from the search page, or with ?patient=<Patient id>');
    }
    if (!patient || (params().get('mother') && params().get('infant'))) {
      const mother = params().get('mother');
      return { mother, infant: params().get('infant'), answer: cardsOf(mother) };
    }
    const answer = await cardsOf(patient);
    const { mothers, infants } = answer.dyad;
    if (!mothers.length || !infants.length) throw new Error(`Patient/${patient} is not linked to a mother or baby on record`);
    const others = el('other-dyads');
    for (const other of infants.slice(1)) {
      const link = text(document.createElement('a'), `Also: the infant Patient/${other}`);
      link.href = `dyad.html?${dyadQuery(mothers[0], other)}`;
      others.append(link, ' ');
      fhir(`Patient/${encodeURIComponent(other)}`).then(p => text(link, `Also: ${nameOf(p)}`), () => {});
    }
    return { mother: mothers[0], infant: infants[0], answer: Promise.resolve(answer) };
  }

  async function dyadPage() {
    let mother, infant, answer;
    try {
      ({ mother, infant, answer } = await dyadToShow());
    } catch (e) {
      const summary = el('weight-summary');
      summary.className = 'error';
      text(summary, 'Cannot open the dyad: ' + e.message);
      text(el('cards-status'), '');
      return;
    }
    el('visit-link').href = `visit.html?${dyadQuery(mother, infant)}`;
    cards(answer);
    // Each part on its own: a launch token may read one member's data and not the other's (SMART patient/ scopes).
    const [m, i, weights, temperatures, thresholds] = await Promise.allSettled([
      fhir(`Patient/${encodeURIComponent(mother)}`), fhir(`Patient/${encodeURIComponent(infant)}`),
      fhir(`Observation?subject=Patient/${encodeURIComponent(infant)}&code=http://loinc.org|29463-7,http://loinc.org|3141-9,http://loinc.org|8339-4&_count=500`),
      fhir(`Observation?subject=Patient/${encodeURIComponent(mother)}&code=http://loinc.org|8310-5&_count=500`),
      request(THRESHOLDS).catch(e => ({ error: e.message }))]);
    const name = (result, id) => result.status === 'fulfilled' ? nameOf(result.value) : `Patient/${id}`;
    text(el('dyad-title'), `${name(m, mother)} and ${name(i, infant)}` + (i.status === 'fulfilled' ? ` (born ${i.value.birthDate})` : ''));
    const failed = [i, weights].find(result => result.status === 'rejected');
    if (failed) {
      const summary = el('weight-summary');
      summary.className = 'error';
      text(summary, "Cannot read the infant's weights: " + failed.reason.message);
    } else {
      weightChart(i.value, resources(weights.value, 'Observation').filter(valid), thresholds.value);
    }
    if (temperatures.status === 'rejected') {
      const body = el('temperatures').tBodies[0];
      const row = cell(body.insertRow(), "Cannot read the mother's temperatures: " + temperatures.reason.message);
      row.className = 'error';
    } else {
      temperatureTable(resources(temperatures.value, 'Observation').filter(valid));
    }
  }

  /** The chart's loss lines: [{ percent, critical }] from the server's thresholds, or none when it could not say. */
  function lossLines(thresholds) {
    if (!thresholds || thresholds.error) return [];
    return [{ percent: thresholds.warningPercent, critical: false }, { percent: thresholds.criticalPercent, critical: true }]
      .filter(line => Number.isFinite(line.percent));
  }

  function weightChart(infant, observations, thresholds) {
    const birth = birthOf(infant);
    const day = o => (effective(o) - birth) / 86400000;
    const isBirthWeight = o => o.code.coding.some(c => c.code === '8339-4');
    const points = observations.filter(o => !isBirthWeight(o) && grams(o) !== null)
      .map(o => ({ x: day(o), y: grams(o), at: effective(o) })).sort((a, b) => a.x - b.x);
    const recorded = observations.filter(isBirthWeight).sort((a, b) => effective(b) - effective(a))[0];
    const birthWeight = recorded ? grams(recorded) : (points.find(p => p.x < 1) || {}).y;
    const summary = el('weight-summary');
    const body = el('weights').tBodies[0];
    body.replaceChildren();
    for (const p of points) {
      const row = body.insertRow();
      cell(row, p.at.toLocaleString());
      cell(row, String(Math.floor(p.x)));
      cell(row, `${p.y} g`);
      cell(row, birthWeight ? `${(100 * (p.y - birthWeight) / birthWeight).toFixed(1)} %` : '');
    }
    if (!birthWeight) {
      text(summary, 'No birth weight on record: record it in a visit to see the loss lines.');
    }
    const lowest = points.reduce((min, p) => (!min || p.y < min.y ? p : min), null);
    const regained = birthWeight && lowest ? points.find(p => p.x > lowest.x && p.y >= birthWeight) : null;
    if (birthWeight) {
      const latest = points[points.length - 1];
      text(summary, `Birth weight ${birthWeight} g.` + (latest ? ` Latest ${latest.y} g on day ${Math.floor(latest.x)}` +
        ` (${(100 * (latest.y - birthWeight) / birthWeight).toFixed(1)} %).` : '') +
        (regained ? ` Birth weight regained on day ${Math.floor(regained.x)}.` : ''));
    }
    const maxDay = Math.max(14, ...points.map(p => Math.ceil(p.x) + 1));
    const line = (label, value, color, dash) => ({ label, data: [{ x: 0, y: value }, { x: maxDay, y: value }],
      borderColor: color, borderDash: dash, pointRadius: 0, borderWidth: 1.5 });
    const datasets = [{ label: 'Weight (g)', data: points, borderColor: '#26547c', backgroundColor: '#26547c', tension: 0 }];
    if (birthWeight) {
      datasets.push(line(`Birth weight ${birthWeight} g`, birthWeight, '#2e7d32', []));
      for (const { percent, critical } of lossLines(thresholds)) {
        datasets.push(line(`${percent} % loss (${Math.round(birthWeight * (100 - percent) / 100)} g)`,
          birthWeight * (100 - percent) / 100, critical ? '#c62828' : '#ef8f00', [6, 4]));
      }
      if (thresholds && thresholds.error) {
        summary.append(' The loss lines are not shown: the thresholds could not be read (' + thresholds.error + ').');
      }
    }
    if (regained) {
      datasets.push({ label: `Birth weight regained (day ${Math.floor(regained.x)})`, data: [regained], type: 'scatter',
        pointStyle: 'star', pointRadius: 12, borderColor: '#2e7d32', backgroundColor: '#2e7d32' });
    }
    new Chart(el('weight-chart'), { type: 'line', data: { datasets },
      options: { animation: false, parsing: true,
        scales: { x: { type: 'linear', min: 0, max: maxDay, title: { display: true, text: 'Day of life' } },
                  y: { title: { display: true, text: 'grams' } } } } });
    el('weight-chart').dataset.points = String(points.length);
    el('weight-chart').dataset.lossLines = lossLines(thresholds).map(l => l.percent).join(',');
  }

  function temperatureTable(observations) {
    const body = el('temperatures').tBodies[0];
    body.replaceChildren();
    observations.sort((a, b) => effective(b) - effective(a));
    for (const o of observations) {
      const row = body.insertRow();
      cell(row, effective(o).toLocaleString());
      const q = o.valueQuantity || {};
      cell(row, `${q.value} ${q.unit || q.code}`);
    }
    if (!observations.length) cell(body.insertRow(), 'No temperature on record.');
  }

  async function cards(pending) {
    const status = el('cards-status');
    const list = el('cards');
    try {
      const answer = await pending;
      text(status, answer.cards.length ? `${answer.cards.length} card${answer.cards.length === 1 ? '' : 's'} for this mother and baby` : 'No cards: nothing to flag.');
      list.replaceChildren(...answer.cards.map(card));
    } catch (e) {
      status.className = 'error';
      text(status, 'Decision support unavailable: ' + e.message);
    }
  }

  function card(c) {
    const node = document.createElement('div');
    node.className = `card ${c.indicator}`;
    node.dataset.rule = ((c.source || {}).topic || {}).code || '';
    const head = document.createElement('div');
    head.append(text(Object.assign(document.createElement('span'), { className: 'indicator' }), c.indicator + ' '),
      text(Object.assign(document.createElement('strong'), { className: 'summary' }), c.summary));
    node.appendChild(head);
    if (c.detail) {
      const detail = document.createElement('div');
      detail.className = 'detail';
      detail.innerHTML = markdown(c.detail);
      node.appendChild(detail);
    }
    if (c.source) {
      const source = document.createElement('div');
      source.className = 'source';
      source.append('Source: ');
      if (c.source.url && /^https?:\/\//.test(c.source.url)) {
        const a = text(document.createElement('a'), c.source.label);
        a.href = c.source.url; a.target = '_blank'; a.rel = 'noopener';
        source.append(a);
      } else source.append(c.source.label);
      node.appendChild(source);
    }
    const links = (c.links || []).filter(link => /^https?:\/\//.test(link.url || ''));
    if (links.length) {
      const list = document.createElement('div');
      list.className = 'links';
      list.append('Links: ');
      links.forEach((link, index) => {
        const a = text(document.createElement('a'), link.label || link.url);
        a.href = link.url; a.target = '_blank'; a.rel = 'noopener';
        list.append(...(index ? [' · ', a] : [a]));
      });
      node.appendChild(list);
    }
    return node;
  }

  /** The little markdown cards use (bold, italics, line breaks), on escaped text: card text never becomes markup. */
  function markdown(value) {
    const escaped = value.replace(/[&<>"']/g, ch => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]);
    return escaped.replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>').replace(/\*([^*]+)\*/g, '<em>$1</em>');
  }

  return { searchPage, visitPage, dyadPage, launchPage, readyPage };
})();
