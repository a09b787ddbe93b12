// Package feedback is the community feedback channel: a public, no-login
// way for people where a mission works to send a complaint, a concern, a
// tip, a report of misconduct or a request for assistance, on a plain web
// form that needs no script (English and French), through the JSON API or
// by SMS through a gateway's webhook, and to follow it later with a
// tracking code, without an account.
//
// Privacy is the product here. A submission keeps no address, user agent
// or time finer than the day it was received; the creation's audit entry
// is dated at that day's midnight; the access log lines of the public
// routes lose their client address (PrivateLogHandler). Abuse is limited
// without identities: senders are counted in memory under a keyed hash
// whose key is replaced every window (limit.go). A contact is kept only if
// the submitter gives one (on SMS: only if the text asks for a reply),
// sealed with the server's data key, shown to feedback officers only
// ("feedback_contact" is need-to-know) and never written to the audit log
// or the logs. The tracking code is stored only as a hash.
//
// Feedback officers triage: categorise, assign, refer (to conduct, which
// creates a misconduct allegation through AllegationCreator, to human
// rights, protection of civilians or a humanitarian partner), answer in
// public (shown with the tracking code), note internally, close; service
// levels (acknowledge within N days, resolve within M) flag overdue
// submissions. Mission-admins read. Every change is audited.
//
// What does not live here: the allegations themselves (conduct/).
package feedback
