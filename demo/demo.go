// Package demo holds the real public data the `peaceops demo` command
// builds its demonstration mission from (see data/SOURCE.md for origins
// and licences). It holds data only; the building is done by cmd/peaceops
// through the capabilities' services, like any other client.
package demo

import "embed"

// Data holds the demo datasets: CAR admin boundaries (OCHA COD-AB) and the
// UCDP GED events of the Central African Republic.
//
//go:embed data/*.geojson data/SOURCE.md
var Data embed.FS
