// Package forces holds a mission's uniformed and civilian personnel: the
// units contributing countries deploy (type, size, base, arrival, rotation,
// status with its lifecycle), monthly strength returns by contributor x
// personnel category x sex against the authorised ceilings, gender parity
// against targets, peacekeeper fatalities, the training catalogue with
// requirements, completions, readiness and the deployment gate (waivers),
// and rotations due.
//
// Readers of outside formats: ReadContributions (IPI Peacekeeping Database
// contribution files), ReadFatalities (UN fatality records) and
// ReadMissionList (the UN list of operations, reference data). Ceilings come
// from a CeilingSource (the mandates) when one is wired in, else from the
// ceilings a personnel officer enters on the mission.
//
// Access: aggregate figures and units are the "unit" resource type (every
// member reads internal ones); named people in training records are the
// "personnel" type (personnel officers and mission-admins only); waivers
// are the "waiver" type (mission-admins record them).
//
// Not here: the map layer of deployment locations per year (Geo-PKO,
// RADPKO) and mandates themselves.
package forces
