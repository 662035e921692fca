using Skiff.ProtoSchemaGen;

// Turns the upstream protobuf wire schema (../shared/data/k8s-proto-schema-v1.32.json) plus, optionally, the
// upstream Go type definitions (k8s.io/api and k8s.io/apimachinery at the same tag) into the compact schema
// resource that Skiff.Api embeds (src/Skiff.Api/Protobuf/k8s-proto-schema.txt). Run by hand through
// hack/update-proto-schema.sh; nothing at build or run time needs its inputs.
return SchemaGenerator.Run(args);
