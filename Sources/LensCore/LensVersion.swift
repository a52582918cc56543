/// The version of lens recorded in manifests and the catalog.
public let lensVersion = "0.2.0"
