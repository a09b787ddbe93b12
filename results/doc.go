// Package results is the results framework of a mission, CPAS-style: the
// chain mandated task -> objective -> expected result (output, outcome,
// impact) -> indicator, the measurements of indicators per period and per
// disaggregation cell with their approval, indicators computed from the
// mission's events, the performance assessment of each indicator and
// objective per period with its narrative, the long-term peacebuilding
// indicator templates, and the exports (CSV, XLSX, IATI result XML).
//
// framework.go holds the types and their validation; period.go the
// reporting periods (month, quarter, year, budget year July-June);
// definition.go the computed-indicator definitions (a structured filter
// over events, documented in docs/INDICATORS.md); measurement.go the
// values; assessment.go the status rule; catalogue.go the templates.
// service*.go hold the operations, each through the access policy
// (resource types "framework" and "measurement"); compute.go the
// computation through events.Service; store.go the SQL; http.go the API;
// pages.go and templates/ the pages; export.go the writers.
//
// Mandated tasks belong to the mandates capability: this package only
// keeps their ids and asks a TaskLookup for their titles.
package results
