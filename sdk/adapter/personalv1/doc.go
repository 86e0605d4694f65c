// Package personalv1 is the personal API v1
// (canistry.personal.v1.PersonalService) as an adapter implements it: the
// Server interface, its hand-written request and answer types, and the
// conversions from and to the wire (named by direction). Importing it
// registers the API with package adapter, so an adapter whose manifest
// lists Service is served by adapter.Serve.
//
// A later version of the stable API goes beside it as its own package
// (personalv2), as terraform-plugin-go keeps tfprotov5 and tfprotov6.
package personalv1
