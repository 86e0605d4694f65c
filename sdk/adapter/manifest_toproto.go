package adapter

import adapterv1 "github.com/canistry/canistry/internal/gen/canistry/adapter/v1"

func manifestToProto(m Manifest) *adapterv1.GetManifestResponse {
	out := &adapterv1.GetManifestResponse{
		Name:       m.Name,
		Version:    m.Version,
		Protocol:   m.Protocol,
		Constraint: m.Constraint,
	}
	for _, s := range m.Services {
		out.Services = append(out.Services, string(s))
	}
	for _, c := range m.Capabilities {
		out.Capabilities = append(out.Capabilities, string(c))
	}
	return out
}
