// The pages, who may see them, and where each person lands after sign-in.
import { noticeView } from './views/notice.js';
import { loginView, activateView, welcomePasskeyView } from './views/login.js';
import { searchView, fileView, consultationsView } from './views/agent.js';
import { passkeysView } from './views/passkeys.js';
import { alertsView, auditView, personView, incidentsView, breachView, claimView } from './views/officer.js';
import { unitsView, agentsView } from './views/admin.js';

const CONSULTING = ['agent', 'investigator'];
const OFFICER = ['security_officer'];
// The API names the role "administrator"; "admin" is accepted as a synonym.
const ADMIN = ['administrator', 'admin'];

export const ROUTES = {
  notice: { view: noticeView, auth: false },
  login: { view: loginView, auth: false, publicOnly: true },
  activate: { view: activateView, auth: false, publicOnly: true },
  welcome: { view: welcomePasskeyView, auth: true },
  search: { view: searchView, auth: true, roles: CONSULTING, nav: 'nav.search' },
  file: { view: fileView, auth: true, roles: CONSULTING, parent: 'search', title: 'title.file' },
  consultations: { view: consultationsView, auth: true, roles: CONSULTING, nav: 'nav.consultations' },
  alerts: { view: alertsView, auth: true, roles: OFFICER, nav: 'nav.alerts' },
  audit: { view: auditView, auth: true, roles: [...OFFICER, 'supervisor'], nav: 'nav.audit' },
  person: { view: personView, auth: true, roles: [...OFFICER, 'supervisor'], nav: 'nav.person' },
  incidents: { view: incidentsView, auth: true, roles: OFFICER, nav: 'nav.incidents' },
  breach: { view: breachView, auth: true, roles: OFFICER, nav: 'nav.breach' },
  claim: { view: claimView, auth: true, roles: OFFICER, nav: 'nav.claim' },
  units: { view: unitsView, auth: true, roles: ADMIN, nav: 'nav.units' },
  agents: { view: agentsView, auth: true, roles: ADMIN, nav: 'nav.agents' },
  passkeys: { view: passkeysView, auth: true, nav: 'nav.passkeys' },
};

export function mayVisit(route, roles) {
  return !route.roles || route.roles.some((r) => roles.includes(r));
}

/** The menu for these roles: [name, route] in display order. */
export function navItems(roles) {
  return Object.entries(ROUTES).filter(([, r]) => r.nav && mayVisit(r, roles));
}

/** Where a person with these roles lands. */
export function homeFor(roles) {
  if (CONSULTING.some((r) => roles.includes(r))) return '#/search';
  if (roles.includes('security_officer')) return '#/alerts';
  if (roles.includes('supervisor')) return '#/audit';
  if (ADMIN.some((r) => roles.includes(r))) return '#/agents';
  return '#/passkeys';
}
