// Package geo is the spatial kernel of peaceops: WGS84 points and bounding
// boxes, ISO 3166-1 countries, the GeoJSON codec (RFC 7946), point-in-polygon
// tests, the index that assigns admin areas to points, and admin areas with
// OCHA P-codes (their importer and their storage).
//
// Files:
//
//   - geo.go, countries_iso.go: Point and the country list.
//   - bbox.go: BBox and ParseBBox (the ?bbox= query parameter).
//   - geojson.go, geojson_coords.go, geojson_stream.go: Geometry, Feature,
//     FeatureCollection, their validating decoder and the streaming
//     FeatureReader and FeatureWriter.
//   - polygon.go, index.go: point-in-polygon and Index (a packed R-tree over
//     polygon parts, each part with its edges bucketed by latitude).
//   - area.go, import_codab.go: Area and ReadAreas, the reader of OCHA
//     COD-AB (and generic) GeoJSON boundaries.
//   - service.go, store.go: Service, the stored admin areas (table
//     admin_areas) and the per-country Locator cache.
//
// Coordinates are longitude then latitude, in degrees, planar: geo does no
// geodesy. Boxes and polygons that cross the antimeridian are not supported
// (no peace operation's area of responsibility needs them): such a box is
// rejected, and such a polygon is read as going the long way round the
// globe.
//
// What does not live here: map rendering (web/), the placing of events
// (events/ uses Index through Service.Locator) and spatial SQL (PostGIS
// queries sit behind the store/ dialect seam when a module needs them).
package geo
