// The parts of @pulumi/pulumi the components use, from its submodules. The
// package's index also loads the Automation API, dynamic providers and more:
// about 0.6 s of CPU that the provider plugin, which imports these modules for
// their handlers, would pay at every start (bench/README.md).
export { ComponentResource, ComponentResourceOptions, CustomResource, CustomResourceOptions, Resource } from "@pulumi/pulumi/resource";
export { all, Input, Inputs, interpolate, Output, output } from "@pulumi/pulumi/output";
