// Package access decides who is calling and what they may do.
//
// It holds the users of peaceops and their passwords (argon2id, PHC
// strings), browser sessions, API tokens, login throttling shared through
// the database, per-mission role memberships, and the one authorization
// policy every module calls: Can, Check and Clearance over a single table
// of grants (policy.go) from role to resource type to actions and the
// highest classification the role may touch.
//
// Its HTTP face is the API of users and API tokens (/api/v1/users,
// /api/v1/tokens) and the pages /users (administrators) and /account
// (everyone's profile, password and tokens), registered by Routes.
//
// What does not live here: HTTP machinery (cookies, CSRF, the Authorization
// header and the authn middleware are in web/), the audit log itself (store/
// appends it, audit/ reads and verifies it) and missions as records
// (missions/).
// Modules never check roles themselves: they build a Resource and ask the
// policy. A module that introduces a resource type adds its rows to the
// grants table in policy.go.
//
// The Service methods take the acting identity from the context
// (peaceops.ActorFromContext); the policy functions are pure and touch no
// database.
package access
