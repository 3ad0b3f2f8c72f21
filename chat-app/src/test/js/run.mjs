// The scripts' shared entry: runs the scenario named by the first argument and prints its result as one JSON line
// (exit 1 with `describe(error)` when the library threw, 2 for an unknown scenario).
export async function run(scenarios, describe) {
  const scenario = scenarios[process.argv[2]];
  if (!scenario) {
    console.error(`unknown scenario ${process.argv[2]}; one of ${Object.keys(scenarios).join(", ")}`);
    process.exit(2);
  }
  try {
    console.log(JSON.stringify(await scenario()));
  } catch (error) {
    console.log(JSON.stringify(describe(error)));
    process.exit(1);
  }
}
