// The command-line conventions shared by t2conf, t2build and t2plugin: how a parsed
// command runs and how its errors are printed, in T2's words.

import ArgumentParser
import Foundation

extension ParsableCommand {
    /// Parses `args` and runs the command. A T2Error prints `[ERR] ...` and exits 1;
    /// an unknown option or a missing option value prints T2's usage error; `-h`
    /// prints the usage and exits 0.
    public static func runAsT2Tool(_ tool: String, _ args: [String]) -> Never {
        do {
            var command = try parseAsRoot(args)  // Self, or HelpCommand for -h
            try command.run()
            Foundation.exit(0)
        } catch let e as T2Error {
            Console.error(e.description)
            Foundation.exit(1)
        } catch let e as ExitCode {
            Foundation.exit(e.rawValue)
        } catch {
            let message = fullMessage(for: error)
            if exitCode(for: error) == .success { print(message); Foundation.exit(0) }
            if let range = message.range(of: "Unknown option ") {
                let option = message[range.upperBound...].components(separatedBy: "\n").first ?? ""
                Console.usageError(tool, "Unknown option " + option.trimmingCharacters(in: .whitespaces))
            }
            if message.contains("Missing value for") {
                let opt = message.components(separatedBy: "'").dropFirst().first ?? "?"
                Console.usageError(tool, "Option '\(opt.components(separatedBy: " ").first ?? opt)' requires an argument")
            }
            Console.usageError(tool, message)
        }
    }
}
