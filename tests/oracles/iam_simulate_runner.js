// Reads one JSON request per line on stdin, answers one JSON line each: the decision of
// @cloud-copilot/iam-simulate (Strict mode) for every action under every context world.
const readline = require('readline')
const { runSimulation } = require('@cloud-copilot/iam-simulate')

async function decide(policy, action, resource, account, principal, context) {
  const response = await runSimulation(
    {
      identityPolicies: [{ name: 'policy', policy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      request: {
        action,
        principal,
        resource: { resource, accountId: account },
        contextVariables: context
      }
    },
    { simulationMode: 'Strict' }
  )
  if (response.resultType === 'error') return 'error:' + JSON.stringify(response.errors).slice(0, 300)
  return response.overallResult
}

async function main() {
  const lines = readline.createInterface({ input: process.stdin })
  for await (const line of lines) {
    const request = JSON.parse(line)
    const answer = {}
    for (const action of request.actions) {
      answer[action] = []
      for (const context of request.worlds) {
        answer[action].push(
          await decide(request.policy, action, request.resource, request.account, request.principal, context)
        )
      }
    }
    process.stdout.write(JSON.stringify(answer) + '\n')
  }
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack) + '\n')
  process.exit(1)
})
