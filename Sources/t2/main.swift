// t2 (tranalyzer): parse the command line, then run the analyzer.
import T2Core
#if canImport(Glibc)
import Glibc
#endif

switch OptionParser.parse(CommandLine.arguments) {
case .exit(let text, let status):
    fputs(text, stdout)
    exit(status)
case .error(let message):
    Log().error(message)
    print("Try 'tranalyzer -h' for more information.")
    exit(1)
case .run(let options):
    exit(Analyzer.main(options))
}
