// Calls a resource handler's methods the way the Pulumi engine does, with the
// optional parts of their results checked once here instead of in every test.
import { ResourceHandler } from "../../components/kit/resource";

type Provider<I, O> = ResourceHandler<I, O>;

export async function created<I, O>(provider: Provider<I, O>, inputs: I): Promise<O> {
    const result = await provider.create(inputs);
    if (!result.id || !result.outs) throw new Error("create returned no id or no outputs");
    return result.outs;
}

/** What a refresh would record: the live outputs, or undefined when read found the object gone. */
export async function refreshed<I, O>(provider: Provider<I, O>, id: string, props: O): Promise<O | undefined> {
    const result = await provider.read!(id, props);
    if (!result.id) return undefined;
    if (!result.props) throw new Error("read returned an id without props");
    return result.props;
}

export async function updated<I, O>(provider: Provider<I, O>, id: string, olds: O, news: I): Promise<O> {
    const result = await provider.update!(id, olds, news);
    if (!result.outs) throw new Error("update returned no outputs");
    return result.outs;
}
