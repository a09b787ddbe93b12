// Package peaceops holds the shared vocabulary of the peaceops mission
// management information system: identifiers, the one application error
// type, the acting identity, classification levels, roles, civil dates and
// money. It depends on the standard library only.
//
// Storage lives in store/, access control in access/, the HTTP kernel in web/
// and each capability (missions, events, ...) in a folder of its own.
package peaceops
