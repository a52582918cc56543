/// SHA-256 of each file of `lens synth --scale sample --dirty 0.002` (default seed), made on
/// x86_64 Linux with Swift 6.3.1. The generator uses only integer arithmetic and IEEE +, -, *, /
/// and square root (no libm), so these hold on every platform; a change here means the
/// generator's output changed.
enum SynthPins {
    static let sampleSeedDefaultDirty0002: [String: String] = [
        "README.txt": "2c09f64b81136f72c04f8f9bc5f1d5b2ab1c049e1264e6575aa8e9bbb81ff3ef",
        "dirty.json": "d4bf61d9148a5fedf5eaa2085cd6c256e6b0044f05216c451a1b3c243585ef86",
        "genome-scores.csv": "05cce0f42139fc068e439bc3b73ec8ed16bf822de28fc9a49ea83f6f876088ff",
        "genome-tags.csv": "e689a0a80c0dfa37af497d69a4097486bcbcfec1d97093f75b7c5e93deac1ceb",
        "links.csv": "9bf6fd36a77b36ae2732fd33907307223792f20348fe3f53980c9d73516f0e17",
        "movies.csv": "d281283515c613ce4a7229339c6d3179eaa3f301fef5146ef3e506913c5d99f6",
        "ratings.csv": "d2a98c58fe21dba1eac7b9184a6baad6412f51afe843e403f0154a016011acef",
        "tags.csv": "9bc9b7915641b429e9414145029b0e1fb4c6b320078b931ff03a0caa6c740d14",
    ]
}
