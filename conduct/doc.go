// Package conduct is conduct and discipline: misconduct allegations as the
// UN's misconduct tracking records them (categories, personnel, victims,
// interim measures, investigation, actions and the case's timeline), the
// published statistics with small cells suppressed, the import of the UN's
// public table of sexual exploitation and abuse allegations, and
// use-of-force reports with their review under the rules of engagement.
//
// Need-to-know rules everything here: cases ("allegation") are visible only
// to the mission's conduct officers and victims' rights focal point, every
// read of a case is audited, and the identity of victims ("victim": name,
// contact, location) is sealed with the server's data key (package sealed)
// before it reaches the database, opened only for the victims' rights
// focal point, and written to the audit log as "changed" or not, never as
// a value. The statistics ("conduct_stats") are public.
//
// The community feedback channel lives in feedback/, which refers
// misconduct reports here through Service.CreateFromReferral; conduct never
// imports feedback.
package conduct
